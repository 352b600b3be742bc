import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CsvRecord } from '../../pipelines/ingest/csv-records.ts';
import { readXlsxRecords } from '../../pipelines/ingest/xlsx-records.ts';

let dir: string;
let valid: string;
let validBytes: Buffer;

/** A small workbook as ExcelJS writes it: the sheet stored first, `xl/workbook.xml` last. */
async function workbook(fill: (book: ExcelJS.Workbook) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  fill(book);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function put(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

async function read(file: string): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const chunk of readXlsxRecords(file)) out.push(...chunk);
  return out;
}

const expected: CsvRecord[] = [
  { line: 1, fields: ['line_id', 'charge_time', 'amount'] },
  { line: 2, fields: ['X1', '2025-01-02 09:00:00', '50'] },
  { line: 3, fields: ['X2', '2025-01-03', '21'] },
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-xlsx-'));
  validBytes = await workbook((book) => {
    const sheet = book.addWorksheet('收费明细');
    sheet.addRow(['line_id', 'charge_time', 'amount']);
    sheet.addRow(['X1', new Date(Date.UTC(2025, 0, 2, 9)), 50]);
    sheet.addRow(['X2', new Date(Date.UTC(2025, 0, 3)), { formula: 'B3*2', result: 21 }]);
    book.addWorksheet('备注').addRow(['not read']);
  });
  valid = await put('valid.xlsx', validBytes);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readXlsxRecords', () => {
  it('reads a valid workbook (its first sheet) the same way many times at once', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => read(valid)));
    for (const records of results) expect(records).toEqual(expected);
  });

  it('reads a valid workbook when opening files is slow, as on a loaded machine', async () => {
    // ExcelJS's own streaming parse lost the parts stored after the sheet whenever the sheet's
    // temp file took a few milliseconds to open: "Cannot read properties of undefined (reading 'sheets')".
    const openCallback = fs.open;
    const openPromise = fs.promises.open;
    let opened = 0;
    const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 20));
    fs.open = ((...args: unknown[]) => {
      opened += 1;
      const done = args.pop() as (...result: unknown[]) => void;
      (openCallback as (...a: unknown[]) => void)(
        ...args,
        (...result: unknown[]) => void later(result).then((r) => done(...r)),
      );
    }) as typeof fs.open;
    fs.promises.open = (async (...args: Parameters<typeof openPromise>) => {
      opened += 1;
      return later(await openPromise(...args));
    }) as typeof openPromise;
    syncBuiltinESMExports();
    try {
      const results = await Promise.all(Array.from({ length: 10 }, () => read(valid)));
      for (const records of results) expect(records).toEqual(expected);
      expect(opened).toBeGreaterThanOrEqual(10);
    } finally {
      fs.open = openCallback;
      fs.promises.open = openPromise;
      syncBuiltinESMExports();
    }
  });

  it('rejects a workbook cut off anywhere with a one-line error, never a hang or a crash', async () => {
    const cuts = [
      4,
      30,
      200,
      ...Array.from({ length: 12 }, (_, i) => Math.floor((validBytes.length * (i + 1)) / 13)),
    ];
    for (const length of [...cuts, validBytes.length - 1]) {
      const file = await put(`cut-${length}.xlsx`, validBytes.subarray(0, length));
      const error = await read(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `cut at ${length} bytes`).toBeInstanceOf(Error);
      expect((error as Error).message, `cut at ${length} bytes`).toMatch(
        /^not a complete \.xlsx workbook: the zip directory at its end is missing [^\n]+$/,
      );
    }
  });

  it('rejects a zip signature followed by nothing readable, and damaged sheet data', async () => {
    const junk = await put(
      'junk.xlsx',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]),
    );
    await expect(read(junk)).rejects.toThrow(/^not a complete \.xlsx workbook/);

    // One byte changed inside the sheet's compressed data: inflating fails or the checksum differs.
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    const local = validBytes.indexOf(name) - 30;
    expect(validBytes.readUInt32LE(local)).toBe(0x04034b50);
    const data = local + 30 + name.length + validBytes.readUInt16LE(local + 28);
    const damaged = Buffer.from(validBytes);
    damaged[data + 20] = damaged[data + 20]! ^ 0xff;
    const file = await put('damaged.xlsx', damaged);
    const error = await read(file).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toMatch(/\n/);
  });

  it('keeps Chinese text intact where a character straddles two inflated chunks', async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `阿司匹林肠溶片${i}号规格`);
    const file = await put(
      'cjk.xlsx',
      await workbook((book) => {
        const sheet = book.addWorksheet('收费明细');
        sheet.addRow(['line_id', 'item_name']);
        names.forEach((n, i) => sheet.addRow([`R${i}`, n]));
      }),
    );
    const records = await read(file);
    expect(records.slice(1).map((r) => r.fields[1])).toEqual(names);
  });
});
