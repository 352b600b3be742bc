import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../core/contract/columns.ts';
import {
  FastCsvScanner,
  FastPathUnsuitable,
  fnv1a,
  type FastCsvPlan,
  type ScanOutput,
} from '../../pipelines/ingest/fast-csv.ts';

type Field = FastCsvPlan['fields'][number];

const col = (type: ColumnType, required = false): Field => ({ type, required });

const plan = (over: Partial<FastCsvPlan> = {}): FastCsvPlan => {
  const fieldCount = over.fieldCount ?? over.fields?.length ?? 2;
  return {
    delimiter: ',',
    encoding: 'utf-8',
    fieldCount,
    fields: over.fields ?? Array.from({ length: fieldCount }, () => undefined),
    hashFields: [],
    ...over,
  };
};

const bytes = (input: string | Buffer | readonly number[]): Buffer =>
  typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input as Uint8Array);

interface Result {
  copy: Buffer;
  diverted: { line: number; bytes: Buffer; hash: number }[];
  records: number;
}

/** Runs a scanner over the chunks and concatenates everything it returned (end() included). */
function run(p: FastCsvPlan, chunks: readonly Buffer[], firstLine = 2): Result {
  const scanner = new FastCsvScanner(p, firstLine);
  const outputs: ScanOutput[] = chunks.map((c) => scanner.push(c));
  outputs.push(scanner.end());
  return {
    copy: Buffer.concat(outputs.map((o) => o.copy)),
    diverted: outputs.flatMap((o) => o.diverted).map((d) => ({ line: d.line, bytes: d.bytes, hash: d.hash })),
    records: outputs.reduce((n, o) => n + o.records, 0),
  };
}

const scan = (p: FastCsvPlan, input: string | Buffer, firstLine = 2): Result =>
  run(p, [bytes(input)], firstLine);

/** FNV-1a over the whole record. */
const recordHash = (record: string | Buffer): number => {
  const b = bytes(record);
  return fnv1a(b, 0, b.length);
};

/** FNV-1a over key contents, each followed by 0x1F. */
const keyHash = (...parts: (string | Buffer)[]): number => {
  let h: number | undefined;
  for (const part of parts) {
    const b = Buffer.concat([bytes(part), Buffer.of(0x1f)]);
    h = fnv1a(b, 0, b.length, h);
  }
  return h ?? fnv1a(Buffer.alloc(0), 0, 0);
};

const copyLine = (line: number, record: string, hash: number, d = ','): string =>
  `${line}${d}${record}${d}${hash}\n`;

/** Whether one record (without terminator) goes to COPY or is diverted. */
function verdict(p: FastCsvPlan, record: string | Buffer): 'clean' | 'diverted' {
  const r = scan(p, Buffer.concat([bytes(record), Buffer.of(0x0a)]));
  expect(r.records).toBe(1);
  if (r.diverted.length === 1) {
    expect(r.copy.length).toBe(0);
    expect(r.diverted[0]!.bytes).toEqual(bytes(record));
    expect(r.diverted[0]!.line).toBe(2);
    return 'diverted';
  }
  expect(r.diverted).toHaveLength(0);
  expect(r.copy.toString('latin1')).toBe(`2,${bytes(record).toString('latin1')},${recordHash(record)}\n`);
  return 'clean';
}

describe('fnv1a', () => {
  it('is FNV-1a 32-bit as a signed integer', () => {
    expect(fnv1a(Buffer.alloc(0), 0, 0)).toBe(0x811c9dc5 | 0);
    expect(fnv1a(bytes('a'), 0, 1)).toBe(0xe40c292c | 0);
    expect(fnv1a(bytes('foobar'), 0, 6)).toBe(0xbf9cf968 | 0);
    expect(fnv1a(bytes('xxfoobarxx'), 2, 8)).toBe(0xbf9cf968 | 0);
  });

  it('continues an earlier hash given as seed', () => {
    const foo = fnv1a(bytes('foo'), 0, 3);
    expect(fnv1a(bytes('bar'), 0, 3, foo)).toBe(fnv1a(bytes('foobar'), 0, 6));
  });
});

describe('FastCsvScanner: clean records', () => {
  it('forwards a record as <line>,<bytes>,<hash> (the spec example)', () => {
    const p = plan({ fieldCount: 4, fields: [col('text'), col('text'), col('text'), col('numeric')] });
    const record = 'L1,I,"a,b",12.50';
    const r = scan(p, `${record}\n`, 7);
    expect(r.copy.toString()).toBe(copyLine(7, record, recordHash(record)));
    expect(r.diverted).toEqual([]);
    expect(r.records).toBe(1);
  });

  it('hashes the contents of the key fields in order, each followed by 0x1F, quotes taken off but not unescaped', () => {
    const p = plan({ fieldCount: 4, hashFields: [2, 0] });
    const r = scan(p, 'L1,I,"a,""b",12.50\n');
    const h = keyHash('a,""b', 'L1');
    expect(r.copy.toString()).toBe(copyLine(2, 'L1,I,"a,""b",12.50', h));
    // Quoted or not, the same content hashes alike.
    expect(scan(p, 'L1,I,"x",1\n').copy.toString()).toBe(copyLine(2, 'L1,I,"x",1', keyHash('x', 'L1')));
    expect(scan(p, '"L1",I,x,1\n').copy.toString()).toBe(copyLine(2, '"L1",I,x,1', keyHash('x', 'L1')));
  });

  it('writes negative hashes with a minus sign', () => {
    const records = Array.from({ length: 40 }, (_, i) => `r${i},${i * 7}`);
    const r = scan(plan(), records.map((x) => `${x}\n`).join(''));
    const hashes = records.map(recordHash);
    expect(hashes.some((h) => h < 0)).toBe(true);
    expect(hashes.some((h) => h > 0)).toBe(true);
    expect(r.copy.toString()).toBe(records.map((x, i) => copyLine(i + 2, x, hashes[i]!)).join(''));
  });

  it('drops the CR of CRLF, skips blank lines but counts them', () => {
    const r = scan(plan(), '\na,b\r\n\r\n\nc,d\r\ne,f\n\r\n');
    expect(r.records).toBe(3);
    expect(r.copy.toString()).toBe(
      copyLine(3, 'a,b', recordHash('a,b')) +
        copyLine(6, 'c,d', recordHash('c,d')) +
        copyLine(7, 'e,f', recordHash('e,f')),
    );
  });

  it('numbers lines from firstLine', () => {
    expect(scan(plan(), 'a,b\n\nc,d\n', 1000).copy.toString()).toBe(
      copyLine(1000, 'a,b', recordHash('a,b')) + copyLine(1002, 'c,d', recordHash('c,d')),
    );
  });

  it('takes a last record without a line break at end(), its CR dropped', () => {
    const scanner = new FastCsvScanner(plan(), 2);
    const first = scanner.push(bytes('a,b\nc,d'));
    expect(first.copy.toString()).toBe(copyLine(2, 'a,b', recordHash('a,b')));
    expect(first.records).toBe(1);
    const last = scanner.end();
    expect(last.copy.toString()).toBe(copyLine(3, 'c,d', recordHash('c,d')));
    expect(last.records).toBe(1);
    expect(scan(plan(), 'a,b\r').copy.toString()).toBe(copyLine(2, 'a,b', recordHash('a,b')));
    expect(scan(plan(), 'a,b\n\r').records).toBe(1);
    expect(scan(plan(), '').records).toBe(0);
  });

  it('keeps its own copy of an unfinished record (the caller may reuse its chunk)', () => {
    const scanner = new FastCsvScanner(plan(), 2);
    const chunk = bytes('x,y\nab,');
    scanner.push(chunk);
    chunk.fill(0x3b); // ';'
    const out = scanner.push(bytes('cd\n'));
    expect(out.copy.toString()).toBe(copyLine(3, 'ab,cd', recordHash('ab,cd')));
  });

  it('grows its output when COPY lines are much longer than the records', () => {
    const n = 20_000;
    const r = scan(plan({ fieldCount: 1 }), '1\n'.repeat(n));
    expect(r.records).toBe(n);
    const h = recordHash('1');
    expect(r.copy.toString()).toBe(Array.from({ length: n }, (_, i) => copyLine(i + 2, '1', h)).join(''));

    // Clean, diverted and blank lines mixed, across the growth.
    const lines = Array.from({ length: 5000 }, (_, i) =>
      i % 7 === 3 ? ';' : i % 11 === 5 ? '' : String(i % 10),
    );
    const mixed = scan(plan({ fieldCount: 1 }), `${lines.join('\n')}\n`);
    const expected = lines.flatMap((x, i) =>
      x === '' || x === ';' ? [] : [copyLine(i + 2, x, recordHash(x))],
    );
    expect(mixed.copy.toString()).toBe(expected.join(''));
    expect(mixed.diverted.map((d) => d.line)).toEqual(lines.flatMap((x, i) => (x === ';' ? [i + 2] : [])));
    expect(mixed.diverted.every((d) => d.bytes.toString() === ';' && d.hash === recordHash(';'))).toBe(true);
  });

  it('forwards escaped quotes, quoted delimiters and non-ASCII UTF-8', () => {
    const p = plan({ fieldCount: 3, fields: [col('text', true), col('text'), col('integer')] });
    for (const record of ['"x""y",b,1', '"a,b","c""",-12', '项目17,"中,文",3', 'é,ß€😀,0', 'x,,']) {
      expect(verdict(p, record)).toBe('clean');
    }
  });

  it('reads another delimiter: tab, and ; (a ; inside a field is still diverted)', () => {
    const tab = plan({ delimiter: '\t', fields: [col('text'), col('integer')] });
    expect(scan(tab, 'a,b\t12\n').copy.toString()).toBe(copyLine(2, 'a,b\t12', recordHash('a,b\t12'), '\t'));
    const semi = plan({ delimiter: ';', fields: [col('text'), col('integer')] });
    expect(scan(semi, 'a;12\n').copy.toString()).toBe(copyLine(2, 'a;12', recordHash('a;12'), ';'));
    expect(verdict(semi, '"a;b";12')).toBe('diverted');
  });

  it('checks undeclared fields only for structure, encoding and suspicious text', () => {
    const p = plan({ fieldCount: 3, fields: [undefined, col('integer', true)] });
    expect(p.fields).toHaveLength(2); // the third field is undeclared too
    for (const v of ['""', '', ' x ', '=SUM(A1)', '-x', '12.5', '@a']) {
      expect(verdict(p, `${v},1,${v}`)).toBe('clean');
    }
    expect(verdict(p, 'a;b,1,x')).toBe('diverted');
    expect(verdict(p, 'x,1,a"b')).toBe('diverted');
  });
});

describe('FastCsvScanner: diverted records', () => {
  const two = plan();

  it('1. a field count other than the header’s', () => {
    expect(verdict(two, 'a')).toBe('diverted');
    expect(verdict(two, 'a,b,c')).toBe('diverted');
    expect(verdict(two, 'a,b,c,d,e,f,g,h')).toBe('diverted');
    expect(verdict(two, ',')).toBe('clean');
    expect(verdict(two, '"a,b"')).toBe('diverted');
  });

  it('2. a quote anomaly', () => {
    expect(verdict(two, 'a"b,c')).toBe('diverted');
    expect(verdict(two, 'ab",c')).toBe('diverted');
    expect(verdict(two, '"a"b,c')).toBe('diverted');
    expect(verdict(two, '"a" ,c')).toBe('diverted');
    expect(verdict(two, 'a,"b"c')).toBe('diverted');
    expect(verdict(two, 'a,"b"x"y"')).toBe('diverted');
    expect(verdict(two, 'a,"b"""')).toBe('clean');
  });

  it('3. a NUL byte, or a CR other than before the LF', () => {
    expect(verdict(two, 'a\0,b')).toBe('diverted');
    expect(verdict(two, 'a,"b\0"')).toBe('diverted');
    expect(verdict(two, 'a\rb,c')).toBe('diverted');
    expect(verdict(two, 'a\r,c')).toBe('diverted');
    expect(verdict(two, '\r,c')).toBe('diverted');
    expect(scan(two, 'a,b\r\r\n').diverted.map((d) => d.bytes.toString())).toEqual(['a,b\r']);
  });

  it("4. SQL-looking text: ; ' -- /* union (any case), quoted or not", () => {
    for (const v of [
      ';',
      'a;b',
      "o'brien",
      '--',
      'a--b',
      '/*',
      'a/*b',
      'union',
      'UNION',
      'reUnIoN',
      '"x;y"',
      '"--"',
    ]) {
      expect(verdict(two, `k,${v}`)).toBe('diverted');
    }
    for (const v of ['-', 'a-b-c', '/', '*/', 'a/b*c', 'unio', 'uni on', 'u-nion', '-1', 'x-', 'nion']) {
      expect(verdict(two, `k,${v}`)).toBe('clean');
    }
    expect(verdict(two, 'a-,-b')).toBe('clean'); // not a pair: the delimiter is between
  });

  it('5. invalid UTF-8', () => {
    const bad = [
      [0x80],
      [0xbf],
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xc3],
      [0xc3, 0x28],
      [0xe0, 0x80, 0x80],
      [0xe0, 0x9f, 0xbf],
      [0xe4, 0xb8],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x80, 0x80, 0x80],
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xf0, 0x9f, 0x98],
      [0xfe],
      [0xff],
    ];
    for (const seq of bad) {
      expect(verdict(two, Buffer.concat([bytes('k,'), Buffer.from(seq)]))).toBe('diverted');
      expect(verdict(two, Buffer.concat([bytes('k,"'), Buffer.from(seq), bytes(' "')]))).toBe('diverted');
    }
    for (const seq of [
      [0xc2, 0x80],
      [0xe0, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xef, 0xbf, 0xbf],
      [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
    ]) {
      expect(verdict(two, Buffer.concat([bytes('k,'), Buffer.from(seq)]))).toBe('clean');
    }
  });

  it('6. a field longer than 100,000 bytes', () => {
    const p = plan({ fields: [col('text'), undefined] });
    expect(verdict(p, `${'x'.repeat(100_000)},y`)).toBe('clean');
    expect(verdict(p, `${'x'.repeat(100_001)},y`)).toBe('diverted');
    expect(verdict(p, `x,"${'y'.repeat(100_000)}"`)).toBe('clean');
    expect(verdict(p, `x,"${'y'.repeat(100_001)}"`)).toBe('diverted');
  });

  describe('7. declared columns', () => {
    const typed = (type: ColumnType, required = false) => plan({ fields: [undefined, col(type, required)] });
    const check = (type: ColumnType, clean: string[], diverted: string[]) => {
      for (const v of clean) expect([v, verdict(typed(type), `k,${v}`)]).toEqual([v, 'clean']);
      for (const v of diverted) expect([v, verdict(typed(type), `k,${v}`)]).toEqual([v, 'diverted']);
    };

    it('a quoted empty field, an empty required field', () => {
      for (const type of ['text', 'integer', 'numeric', 'date', 'timestamp', 'boolean'] as const) {
        expect(verdict(typed(type), 'k,')).toBe('clean'); // NULL
        expect(verdict(typed(type), 'k,""')).toBe('diverted');
        expect(verdict(typed(type, true), 'k,')).toBe('diverted');
        expect(verdict(typed(type, true), 'k,""')).toBe('diverted');
      }
      expect(verdict(plan({ fields: [col('text', true), undefined] }), ',x')).toBe('diverted');
    });

    it('text: formula characters first, spaces at either end', () => {
      check(
        'text',
        ['abc', 'a b', 'a=b', 'x-', '中文', '"a,b"', '"x""y"', '1+1', 'a@b'],
        ['=SUM(A1)', '+1', '-1', '@x', '\tx', ' x', 'x ', '" x"', '"x "', '"=1"', ' '],
      );
    });

    it('integer: -?[0-9]{1,9}', () => {
      check(
        'integer',
        ['0', '7', '-1', '007', '123456789', '-123456789', '"12"'],
        ['1234567890', '-1234567890', '+1', '1.0', ' 1', '1 ', '-', '1e3', '１', '0x1', '"1 "', '1-'],
      );
    });

    it('numeric: -?[0-9]+(.[0-9]+)?, at most 30 digits', () => {
      check(
        'numeric',
        ['0', '-0.5', '12.50', '27.00', '"13.5"', '1'.repeat(30), `${'1'.repeat(20)}.${'2'.repeat(10)}`],
        [
          '1'.repeat(31),
          `${'1'.repeat(21)}.${'2'.repeat(10)}`,
          '.5',
          '5.',
          '"1,000"',
          '"1,234.50"',
          '+1',
          '1e5',
          '1.2.3',
          '-',
          ' 1',
          '1 ',
          '-.5',
          'NaN',
        ],
      );
    });

    it('date: YYYY-MM-DD that exists', () => {
      check(
        'date',
        [
          '2025-01-05',
          '2024-02-29',
          '2000-02-29',
          '2025-12-31',
          '2025-04-30',
          '2025-02-28',
          '"2025-01-05"',
          '0001-01-01',
        ],
        [
          '2023-02-29',
          '1900-02-29',
          '2025-04-31',
          '2025-06-31',
          '2025-01-32',
          '2025-13-01',
          '2025-00-10',
          '2025-01-00',
          '2025/01/05',
          '2025-1-5',
          '20250105',
          '2025-01-05 00:00:00',
          '"2025-01-05 "',
          '0000-01-01',
          '2025-0a-01',
        ],
      );
    });

    it('timestamp: YYYY-MM-DD HH:MM:SS', () => {
      check(
        'timestamp',
        ['2025-01-05 09:12:00', '2024-02-29 23:59:59', '2025-12-31 00:00:00'],
        [
          '2025-01-05T09:12:00',
          '2025-01-05  09:12:00',
          '2025-01-05 24:00:00',
          '2025-01-05 09:60:00',
          '2025-01-05 09:12:60',
          '2025-01-05 9:12:00',
          '2025-01-05 09:12',
          '2025-01-05',
          '2025-02-30 00:00:00',
          '2025-01-05 09:12:00.5',
          '2025-01-05 09-12-00',
          // ISO 8601 and compact forms: read (and offsets converted) by the careful parser only.
          '2025-01-05T01:12:00Z',
          '2025-01-05T09:12:00+08:00',
          '2025-01-05T09:12:00.250+08:00',
          '20250105091200',
        ],
      );
    });

    it('boolean: t f true false 0 1', () => {
      check(
        'boolean',
        ['t', 'f', 'true', 'false', '0', '1', '"t"'],
        ['T', 'TRUE', 'False', 'yes', 'y', '是', 'tru', 'falsey', ' t', '2', '01'],
      );
    });
  });

  it('gives a diverted record the hash a clean one would get, and copies its bytes', () => {
    const p = plan({
      fieldCount: 3,
      fields: [col('text', true), col('integer'), undefined],
      hashFields: [0, 2],
    });
    const input = bytes('"k1",x,"a"\nk1,1,a\n');
    const r = scan(p, input);
    expect(r.diverted).toEqual([{ line: 2, bytes: bytes('"k1",x,"a"'), hash: keyHash('k1', 'a') }]);
    expect(r.copy.toString()).toBe(copyLine(3, 'k1,1,a', keyHash('k1', 'a')));
    input.fill(0);
    expect(r.diverted[0]!.bytes.toString()).toBe('"k1",x,"a"');
    // A missing key field hashes as empty.
    expect(scan(p, 'k1\n').diverted[0]!.hash).toBe(keyHash('k1', ''));
    // Whole-record hash when there is no key; the CR of CRLF is not part of it.
    expect(scan(plan(), 'a;b\r\n').diverted).toEqual([
      { line: 2, bytes: bytes('a;b'), hash: recordHash('a;b') },
    ]);
  });
});

describe('FastCsvScanner: files the fast path cannot take', () => {
  it('throws when a quoted field spans lines', () => {
    const scanner = new FastCsvScanner(plan(), 2);
    expect(() => scanner.push(bytes('a,b\n\nc,"x\ny"\n'))).toThrow(
      new FastPathUnsuitable('a quoted field spans lines (line 4)'),
    );
    expect(() => scan(plan(), 'a,"x\r\ny"\n')).toThrow(FastPathUnsuitable);
  });

  it('throws on a CR inside a quoted field', () => {
    expect(() => scan(plan(), 'a,"x\ry"\n')).toThrow(/quoted field spans lines \(line 2\)/);
  });

  it('throws on a quote still open at the end of the input', () => {
    expect(() => scan(plan(), 'a,b\nc,"d')).toThrow(
      new FastPathUnsuitable('an unterminated quote at the end of the input (line 3)'),
    );
    expect(() => scan(plan(), 'a,b\nc,"d\n')).toThrow(FastPathUnsuitable);
    // A quote anomaly that leaves a quote open: the careful parser would join lines.
    expect(() => scan(plan(), 'a"b,"c\nd",e\n')).toThrow(FastPathUnsuitable);
  });

  it('refuses delimiters that cannot be scanned as bytes', () => {
    expect(() => new FastCsvScanner(plan({ encoding: 'gb18030', delimiter: '|' }), 2)).toThrow(
      FastPathUnsuitable,
    );
    expect(() => new FastCsvScanner(plan({ encoding: 'gb18030', delimiter: '\\' }), 2)).toThrow(
      FastPathUnsuitable,
    );
    expect(() => new FastCsvScanner(plan({ delimiter: '"' }), 2)).toThrow(FastPathUnsuitable);
    expect(() => new FastCsvScanner(plan({ delimiter: '，' }), 2)).toThrow(FastPathUnsuitable);
    expect(() => new FastCsvScanner(plan({ delimiter: ',,' }), 2)).toThrow(FastPathUnsuitable);
    expect(() => new FastCsvScanner(plan({ delimiter: '|' }), 2)).not.toThrow();
    expect(() => new FastCsvScanner(plan({ encoding: 'gb18030', delimiter: '\t' }), 2)).not.toThrow();
  });
});

describe('FastCsvScanner: GB18030', () => {
  const gb = (over: Partial<FastCsvPlan> = {}) => plan({ encoding: 'gb18030', ...over });

  it('forwards GB18030 bytes unchanged', () => {
    const record = iconv.encode('中文,名称', 'gb18030');
    const r = scan(
      gb({ fields: [col('text', true), col('text', true)], hashFields: [1] }),
      Buffer.concat([record, bytes('\r\n')]),
    );
    expect(r.diverted).toEqual([]);
    expect(r.copy).toEqual(
      Buffer.concat([bytes('2,'), record, bytes(`,${keyHash(iconv.encode('名称', 'gb18030'))}\n`)]),
    );
    expect(verdict(gb(), iconv.encode('😀,"€,x"', 'gb18030'))).toBe('clean'); // 4-byte and 2-byte
  });

  it('never reads a trail byte as ASCII', () => {
    // 乽 is 81 75 ('u'): "乽nion" contains the bytes u n i o n but not the word.
    const yu = Buffer.from([0x81, 0x75]);
    expect(iconv.decode(yu, 'gb18030')).toBe('乽');
    expect(verdict(gb(), Buffer.concat([bytes('k,'), yu, bytes('nion')]))).toBe('clean');
    expect(verdict(gb(), Buffer.concat([bytes('k,u'), bytes('nion')]))).toBe('diverted');
    // 乗 is 81 5C ('\'), 亅 81 7C ('|'), 丂 81 40 ('@'): as first byte of a text value, not '@'.
    const text = gb({ fields: [col('text', true), col('text', true)] });
    expect(
      verdict(
        text,
        Buffer.concat([Buffer.from([0x81, 0x40]), bytes(','), Buffer.from([0x81, 0x5c, 0x81, 0x7c])]),
      ),
    ).toBe('clean');
    // The same bytes are not UTF-8.
    expect(verdict(plan(), Buffer.concat([bytes('k,'), yu]))).toBe('diverted');
  });

  it('diverts malformed sequences', () => {
    for (const seq of [
      [0x80],
      [0xff],
      [0x81],
      [0x81, 0x7f],
      [0x81, 0x20],
      [0x81, 0x30],
      [0x81, 0x30, 0x81],
      [0x81, 0x30, 0x20, 0x30],
      [0x81, 0x30, 0x81, 0x41],
      [0x81, 0x30, 0xff, 0x30],
    ]) {
      expect(verdict(gb(), Buffer.concat([bytes('k,'), Buffer.from(seq)]))).toBe('diverted');
      expect(verdict(gb(), Buffer.concat([bytes('k,"'), Buffer.from(seq), bytes(' "')]))).toBe('diverted');
    }
    // A bad trail byte is read again as itself: here a delimiter, so three fields.
    const r = scan(gb({ fieldCount: 3, hashFields: [2] }), Buffer.from([0x61, 0x2c, 0x81, 0x2c, 0x62, 0x0a]));
    expect(r.diverted.map((d) => d.hash)).toEqual([keyHash('b')]);
  });
});

describe('FastCsvScanner: chunk boundaries', () => {
  const p = plan({
    fieldCount: 4,
    fields: [col('text', true), col('integer'), col('date'), undefined],
    hashFields: [0, 2],
  });
  const utf8Input = bytes(
    [
      'A1,1,2025-01-05,"x,""y"""',
      '',
      '项目,-2,,😀',
      'bad;one,3,2025-01-05,z',
      '"q",4,"2024-02-29",',
      'short,5',
      '\r',
      'crlf,6,2025-12-31,end\r',
      'B2,,2023-02-29,w',
      'last,7,2025-01-01,"no newline"',
    ].join('\n'),
  );
  const gbInput = Buffer.concat([
    iconv.encode('中文,1,2025-01-05,名称\r\n', 'gb18030'),
    Buffer.from([0x81, 0x75]),
    bytes('nion,2,,x\n'),
    iconv.encode('😀,3,2025-01-06,"€,€"\n', 'gb18030'),
    Buffer.from([0x81, 0x30, 0x81]),
    bytes(',4,,x\n'),
    iconv.encode('尾,5,2025-01-07,无换行', 'gb18030'),
  ]);

  for (const [name, input, scanPlan] of [
    ['UTF-8', utf8Input, p],
    ['GB18030', gbInput, { ...p, encoding: 'gb18030' } as FastCsvPlan],
  ] as const) {
    it(`gives the same result for ${name} input split anywhere`, () => {
      const whole = run(scanPlan, [input]);
      expect(whole.records).toBeGreaterThan(4);
      expect(whole.diverted.length).toBeGreaterThan(0);
      expect(whole.copy.length).toBeGreaterThan(0);
      for (let a = 0; a <= input.length; a++) {
        expect(run(scanPlan, [input.subarray(0, a), input.subarray(a)])).toEqual(whole);
      }
      for (let a = 0; a <= input.length; a += 3) {
        for (let b = a; b <= input.length; b += 2) {
          expect(run(scanPlan, [input.subarray(0, a), input.subarray(a, b), input.subarray(b)])).toEqual(
            whole,
          );
        }
      }
      const oneByOne = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
      expect(run(scanPlan, oneByOne)).toEqual(whole);
    });
  }

  it('reads the UTF-8 sample as expected', () => {
    const r = run(p, [utf8Input]);
    expect(r.records).toBe(8);
    expect(r.diverted.map((d) => [d.line, d.bytes.toString()])).toEqual([
      [5, 'bad;one,3,2025-01-05,z'],
      [7, 'short,5'],
      [10, 'B2,,2023-02-29,w'],
    ]);
    expect(r.copy.toString()).toBe(
      [
        copyLine(2, 'A1,1,2025-01-05,"x,""y"""', keyHash('A1', '2025-01-05')),
        copyLine(4, '项目,-2,,😀', keyHash('项目', '')),
        copyLine(6, '"q",4,"2024-02-29",', keyHash('q', '2024-02-29')),
        copyLine(9, 'crlf,6,2025-12-31,end', keyHash('crlf', '2025-12-31')),
        copyLine(11, 'last,7,2025-01-01,"no newline"', keyHash('last', '2025-01-01')),
      ].join(''),
    );
  });

  it('reads the GB18030 sample as expected', () => {
    const r = run({ ...p, encoding: 'gb18030' }, [gbInput]);
    expect(r.records).toBe(5);
    expect(r.diverted.map((d) => d.line)).toEqual([5]);
    expect(
      iconv
        .decode(r.copy, 'gb18030')
        .split('\n')
        .map((l) => l.split(',').slice(0, 2).join(',')),
    ).toEqual(['2,中文', '3,乽nion', '4,😀', '6,尾', '']);
  });

  it('throws for a quoted line break even when split across pushes', () => {
    const scanner = new FastCsvScanner(plan(), 2);
    scanner.push(bytes('a,"x'));
    expect(() => scanner.push(bytes('\ny"\n'))).toThrow(FastPathUnsuitable);
  });
});

/**
 * A slow, line-by-line model of the rules (strings and regular expressions), to compare the
 * scanner with on random input. Returns 'throws' where the scanner must throw.
 */
function model(p: FastCsvPlan, input: Buffer, firstLine = 2): Result | 'throws' {
  const d = p.delimiter.charCodeAt(0);
  const pieces: Buffer[] = [];
  for (let start = 0; start <= input.length;) {
    const lf = input.indexOf(0x0a, start);
    if (lf < 0) {
      if (start < input.length) pieces.push(input.subarray(start));
      break;
    }
    pieces.push(input.subarray(start, lf));
    start = lf + 1;
  }
  const out: string[] = [];
  const diverted: Result['diverted'] = [];
  let records = 0;
  for (const [index, piece] of pieces.entries()) {
    const line = firstLine + index;
    const rec = piece.length > 0 && piece[piece.length - 1] === 0x0d ? piece.subarray(0, -1) : piece;
    if (rec.length === 0) continue;
    records++;
    // Bytes of valid multi-byte characters masked out (0x01); invalid bytes noted.
    const masked = Buffer.from(rec);
    let badEncoding = false;
    for (let i = 0; i < rec.length;) {
      const c = rec[i]!;
      if (c < 0x80) {
        i++;
        continue;
      }
      let n = 0;
      const at = (k: number) => rec[i + k] ?? -1;
      const cont = (k: number) => (at(k) & 0xc0) === 0x80 && at(k) >= 0;
      if (p.encoding === 'gb18030') {
        if (c >= 0x81 && c <= 0xfe) {
          if (at(1) >= 0x30 && at(1) <= 0x39)
            n = at(2) >= 0x81 && at(2) <= 0xfe && at(3) >= 0x30 && at(3) <= 0x39 ? 4 : 0;
          else n = (at(1) >= 0x40 && at(1) <= 0x7e) || (at(1) >= 0x80 && at(1) <= 0xfe) ? 2 : 0;
        }
      } else if (c >= 0xc2 && c <= 0xdf) n = cont(1) ? 2 : 0;
      else if (c >= 0xe0 && c <= 0xef) {
        const ok = cont(1) && cont(2) && !(c === 0xe0 && at(1) < 0xa0) && !(c === 0xed && at(1) >= 0xa0);
        n = ok ? 3 : 0;
      } else if (c >= 0xf0 && c <= 0xf4) {
        const ok =
          cont(1) && cont(2) && cont(3) && !(c === 0xf0 && at(1) < 0x90) && !(c === 0xf4 && at(1) > 0x8f);
        n = ok ? 4 : 0;
      }
      if (n === 0) {
        badEncoding = true;
        i++;
      } else {
        masked.fill(0x01, i, i + n);
        i += n;
      }
    }
    // Fields, the careful parser's way (csv-records.ts splitQuoted).
    const fields: { s: number; e: number; quoted: boolean }[] = [];
    const separators: number[] = [];
    let anomaly = false;
    let pos = 0;
    for (;;) {
      if (masked[pos] === 0x22) {
        let j = pos + 1;
        for (;;) {
          if (j >= masked.length || masked[j] === 0x0d) return 'throws';
          if (masked[j] === 0x22) {
            if (masked[j + 1] === 0x22) {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        fields.push({ s: pos + 1, e: j, quoted: true });
        let next = j + 1;
        if (next < masked.length && masked[next] !== d) anomaly = true;
        while (next < masked.length && masked[next] !== d) next++;
        if (next >= masked.length) break;
        separators.push(next);
        pos = next + 1;
      } else {
        let next = pos;
        while (next < masked.length && masked[next] !== d) next++;
        if (masked.subarray(pos, next).includes(0x22)) anomaly = true;
        fields.push({ s: pos, e: next, quoted: false });
        if (next >= masked.length) break;
        separators.push(next);
        pos = next + 1;
      }
    }
    const text = Buffer.from(masked);
    for (const s of separators) text[s] = 0x01;
    const latin = text.toString('latin1');
    let bad = anomaly || badEncoding || fields.length !== p.fieldCount;
    if (/[\0\r;']|--|\/\*|union/i.test(latin)) bad = true;
    for (const [i, f] of fields.entries()) {
      const content = rec.subarray(f.s, f.e).toString('latin1');
      if (content.length > 100_000) bad = true;
      const field = p.fields[i];
      if (!field || i >= p.fieldCount) continue;
      if (content === '') {
        if (f.quoted || field.required) bad = true;
        continue;
      }
      const dateOk = (y: number, m: number, day: number) => {
        const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
        const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
        return y > 0 && days !== undefined && day >= 1 && day <= days;
      };
      let ok = true;
      if (field.type === 'text') ok = !/^[=+\-@\t\r ]/.test(content) && !content.endsWith(' ');
      else if (field.type === 'integer') ok = /^-?[0-9]{1,9}$/.test(content);
      else if (field.type === 'numeric')
        ok = /^-?[0-9]+(\.[0-9]+)?$/.test(content) && content.replace(/\D/g, '').length <= 30;
      else if (field.type === 'boolean') ok = /^(t|f|true|false|0|1)$/.test(content);
      else {
        const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(content);
        ok =
          !!m &&
          (m[4] === undefined) === (field.type === 'date') &&
          dateOk(Number(m[1]), Number(m[2]), Number(m[3])) &&
          (m[4] === undefined || (Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 59));
      }
      if (!ok) bad = true;
    }
    let hash: number;
    if (p.hashFields.length === 0) hash = fnv1a(rec, 0, rec.length);
    else {
      const parts = p.hashFields.map((i) => {
        const f = fields[i];
        return f ? rec.subarray(f.s, f.e) : Buffer.alloc(0);
      });
      hash = keyHash(...parts);
    }
    if (bad) diverted.push({ line, bytes: Buffer.from(rec), hash });
    else out.push(`${line}${p.delimiter}${rec.toString('latin1')}${p.delimiter}${hash}\n`);
  }
  return { copy: Buffer.from(out.join(''), 'latin1'), diverted, records };
}

describe('FastCsvScanner: random input against a model of the rules', () => {
  const tokens: (string | number[])[] = [
    'a',
    'Z',
    '7',
    '12',
    '-',
    '--',
    '"',
    '""',
    ',',
    ',',
    ',',
    ',',
    '\r',
    '\r\n',
    '\n',
    '\n',
    ';',
    "'",
    'u',
    'Union',
    'nion',
    '/',
    '*',
    ' ',
    '=',
    '@',
    '\t',
    '.',
    '2025-01-05',
    '2024-02-29',
    '2023-02-29',
    '09:12:00',
    't',
    'false',
    '中',
    '😀',
    [0xff],
    [0x80],
    [0xc3],
    [0xe4, 0xb8],
    [0x81, 0x75],
    [0x81, 0x30, 0x81, 0x30],
    [0x81],
    [0x00],
    '0000-01-01',
    '-5',
    '3.25',
    '1234567890',
  ];
  const encoded = tokens.map((t) => (typeof t === 'string' ? Buffer.from(t, 'utf8') : Buffer.from(t)));
  const goodValues: Record<ColumnType, string[]> = {
    text: ['abc', '项目17', 'L123', 'a b', 'x,y', 'q"q', '', '中文', '😀', 'x-y'],
    integer: ['0', '-12', '123456789', ''],
    numeric: ['13.50', '-0.25', '7', ''],
    date: ['2025-01-05', '2024-02-29', '2025-12-31', ''],
    timestamp: ['2025-01-05 09:12:00', '2024-02-29 23:59:59', ''],
    boolean: ['t', 'false', '1', ''],
  };
  const pick = <T>(values: readonly T[]): T => values[random(values.length)]!;
  let seed = 12345;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const plans: FastCsvPlan[] = [
    plan({ fieldCount: 3, fields: [col('text', true), col('integer'), col('date')], hashFields: [1, 0] }),
    plan({ fieldCount: 2, fields: [col('timestamp', true), col('boolean')], encoding: 'gb18030' }),
    plan({
      fieldCount: 4,
      fields: [col('numeric'), undefined, col('text'), col('integer', true)],
      delimiter: ';',
      hashFields: [2],
    }),
  ];

  it('agrees with the model on 3,000 random inputs, pushed in random chunks', () => {
    let throws = 0;
    let divertedCount = 0;
    let cleanLines = 0;
    for (let round = 0; round < 3000; round++) {
      const p = plans[round % plans.length]!;
      const parts: Buffer[] = [];
      const lines = 1 + random(8);
      for (let l = 0; l < lines; l++) {
        if (random(4) === 0) {
          // Random tokens.
          const n = 1 + random(12);
          for (let k = 0; k < n; k++) parts.push(encoded[random(encoded.length)]!);
        } else {
          // A record that is mostly well-formed.
          const count = random(10) === 0 ? p.fieldCount + random(3) - 1 : p.fieldCount;
          for (let f = 0; f < count; f++) {
            if (f > 0) parts.push(Buffer.from(p.delimiter));
            const type = p.fields[f]?.type ?? 'text';
            let value: Buffer =
              random(6) === 0
                ? encoded[random(encoded.length)]!
                : Buffer.from(pick(goodValues[type]), 'utf8');
            if (p.encoding === 'gb18030' && random(2) === 0)
              value = iconv.encode(value.toString('utf8'), 'gb18030');
            if (random(5) === 0)
              value = Buffer.concat([
                Buffer.from('"'),
                Buffer.from(value.toString('latin1').replaceAll('"', '""'), 'latin1'),
                Buffer.from('"'),
              ]);
            parts.push(value);
          }
        }
        const end = random(10);
        parts.push(Buffer.from(end < 7 ? '\n' : end < 9 ? '\r\n' : l === lines - 1 ? '' : '\n\n'));
      }
      const input = Buffer.concat(parts);
      const expected = model(p, input);
      const chunks: Buffer[] = [];
      for (let at = 0; at < input.length;) {
        const size = 1 + random(input.length);
        chunks.push(input.subarray(at, at + size));
        at += size;
      }
      let actual: Result | 'throws';
      try {
        actual = run(p, chunks);
      } catch (error) {
        expect(error).toBeInstanceOf(FastPathUnsuitable);
        actual = 'throws';
      }
      expect([input.toString('latin1'), actual]).toEqual([input.toString('latin1'), expected]);
      if (expected === 'throws') throws++;
      else {
        divertedCount += expected.diverted.length;
        cleanLines += expected.copy.toString('latin1').split('\n').length - 1;
      }
    }
    // The generator reaches every outcome.
    expect(throws).toBeGreaterThan(100);
    expect(divertedCount).toBeGreaterThan(1000);
    expect(cleanLines).toBeGreaterThan(100);
  });
});
