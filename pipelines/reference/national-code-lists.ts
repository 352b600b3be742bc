import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { withTransaction } from '../../core/db/transaction.ts';
import { HdwError } from '../../core/errors.ts';
import { projectRoot } from '../../core/paths.ts';

/** Where the national lists are looked for by default: the shared datasets beside the checkout. */
export const defaultCodeListDir = path.resolve(projectRoot, '..', 'shared', 'datasets', 'chs-drg-1.1');

/** The two national lists: file name in the folder, the table they are kept in, and its columns. */
export const nationalCodeLists = {
  diagnoses: { file: 'diagnoses_icd10_chs2.csv', list: 'ICD-10 医保版 2.0', table: 'ref.national_diagnoses' },
  procedures: {
    file: 'procedures_icd9cm3_chs2.csv',
    list: 'ICD-9-CM-3 医保版 2.0',
    table: 'ref.national_procedures',
  },
} as const;

/** Whether both national lists are in `dir` (tests that use them skip otherwise). */
export function hasNationalCodeLists(dir = defaultCodeListDir): boolean {
  return Object.values(nationalCodeLists).every((l) => existsSync(path.join(dir, l.file)));
}

export interface NationalCodeListCounts {
  readonly diagnoses: number;
  readonly procedures: number;
}

/**
 * Loads the national ICD-10 and ICD-9-CM-3 医保版 2.0 lists (CSV with `code,name`) from `dir` into
 * `ref.national_*`, replacing what an earlier load left, in one transaction. `mergeNationalCodeLists`
 * then makes them part of `ref.diagnoses` / `ref.procedures` at every seed load. A missing or
 * malformed file stops the load with the file named; nothing is half-loaded.
 */
export async function loadNationalCodeLists(
  pool: pg.Pool,
  dir = defaultCodeListDir,
): Promise<NationalCodeListCounts> {
  const diagnoses = await readCodeList(dir, nationalCodeLists.diagnoses.file);
  const procedures = await readCodeList(dir, nationalCodeLists.procedures.file);
  await withTransaction(pool, async (client) => {
    await client.query(`delete from ref.national_diagnoses`);
    await client.query(`delete from ref.national_procedures`);
    await client.query(
      `insert into ref.national_diagnoses (diag_code, diag_name, sex_restriction, list_name)
       select code, name, ${sexByChapter('code')}, $3 from unnest($1::text[], $2::text[]) as l(code, name)`,
      [diagnoses.map((d) => d.code), diagnoses.map((d) => d.name), nationalCodeLists.diagnoses.list],
    );
    await client.query(
      `insert into ref.national_procedures (oprn_code, oprn_name, list_name)
       select code, name, $3 from unnest($1::text[], $2::text[]) as l(code, name)`,
      [procedures.map((d) => d.code), procedures.map((d) => d.name), nationalCodeLists.procedures.list],
    );
    await mergeNationalCodeLists(client);
  });
  return { diagnoses: diagnoses.length, procedures: procedures.length };
}

/**
 * Adds the loaded national codes that the seeds do not list to `ref.diagnoses` and
 * `ref.procedures`; a code the seed lists keeps the seed's row (its sex restriction or level).
 * Runs inside the seed load's transaction, so rules never see the dictionaries without them.
 */
export async function mergeNationalCodeLists(client: pg.PoolClient): Promise<void> {
  await client.query(
    `insert into ref.diagnoses (diag_code, diag_name, sex_restriction)
     select diag_code, diag_name, sex_restriction from ref.national_diagnoses
     on conflict (diag_code) do nothing`,
  );
  await client.query(
    `insert into ref.procedures (oprn_code, oprn_name)
     select oprn_code, oprn_name from ref.national_procedures
     on conflict (oprn_code) do nothing`,
  );
}

/**
 * The sex an ICD-10 code is restricted to by its chapter: pregnancy (O), female genital organs
 * (C51–C58, N70–N98), male genital organs (C60–C63, N40–N51). The national list carries no such
 * column; the seed's own restriction wins where it lists the code.
 */
function sexByChapter(code: string): string {
  return `case
    when ${code} like 'O%' or left(${code}, 3) between 'C51' and 'C58' or left(${code}, 3) between 'N70' and 'N98' then '2'
    when left(${code}, 3) between 'C60' and 'C63' or left(${code}, 3) between 'N40' and 'N51' then '1'
  end`;
}

async function readCodeList(dir: string, file: string): Promise<{ code: string; name: string }[]> {
  const full = path.join(dir, file);
  if (!existsSync(full))
    throw new HdwError('E_REFERENCE', `${full} not found: give the folder holding ${file} with --dir`);
  let rows: Record<string, string>[];
  try {
    rows = parse(await readFile(full, 'utf8'), {
      columns: true,
      skip_empty_lines: true,
      bom: true,
      trim: true,
    });
  } catch (error) {
    throw new HdwError('E_REFERENCE', `${full} is not readable CSV: ${(error as Error).message}`);
  }
  const seen = new Set<string>();
  const out: { code: string; name: string }[] = [];
  rows.forEach((row, i) => {
    const code = row.code ?? '';
    const name = row.name ?? '';
    if (code === '' || name === '')
      throw new HdwError('E_REFERENCE', `${full} line ${i + 2}: needs columns code and name, both filled`);
    if (!seen.has(code)) out.push({ code, name });
    seen.add(code);
  });
  return out;
}
