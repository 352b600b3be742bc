import { describe, expect, it } from 'vitest';
import { CsvSplitter, splitQuoted } from '../../pipelines/ingest/csv-records.ts';

const all = (chunks: string[]) => {
  const splitter = new CsvSplitter(',');
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()];
};

describe('CsvSplitter', () => {
  it('splits records across chunk boundaries and numbers physical lines', () => {
    expect(all(['a,b\n1,', '2\r\n\n3,"x,', 'y"\n'])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['3', 'x,y'] },
    ]);
  });

  it('keeps a quoted line break inside one record, starting at its first line', () => {
    expect(all(['a,b\n"x\ny",2\n3,4'])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\ny', '2'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('reports an unbalanced quote on its line only and reads on', () => {
    const lines = ['h', '"open', ...Array.from({ length: 60 }, (_, i) => `r${i}`)];
    const records = all([`${lines.join('\n')}\n`]);
    expect(records[1]).toMatchObject({ line: 2, problem: { rule: 'unbalanced_quotes' } });
    expect(records).toHaveLength(62);
    expect(records[61]).toEqual({ line: 62, fields: ['r59'] });
  });

  it('reads a last line without a line break', () => {
    expect(all(['a\n1'])).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['1'] },
    ]);
  });
});

describe('splitQuoted', () => {
  it('unescapes doubled quotes and keeps empty fields', () => {
    expect(splitQuoted('"a""b",,"c"', ',')).toEqual(['a"b', '', 'c']);
    expect(splitQuoted('"open,x', ',')).toBeUndefined();
  });
});
