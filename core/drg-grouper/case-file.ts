import { parse } from 'csv-parse/sync';
import { HdwError } from '../errors.ts';
import type { GroupResult, GrouperRecord } from './grouper.ts';

/**
 * Records to group as a CSV with the columns of the conformance cases (`case_id, gender,
 * age_years, age_days, birth_weight_g, diagnoses, procedures`; codes `|`-separated, principal and
 * main first; other columns are kept but not read). `expected_*` columns, when present, are
 * compared with the result.
 */
export const CASE_COLUMNS = [
  'case_id',
  'gender',
  'age_years',
  'age_days',
  'birth_weight_g',
  'diagnoses',
  'procedures',
] as const;

export interface CaseRow {
  readonly id: string;
  /** Line in the file (the header is line 1). */
  readonly line: number;
  readonly record: GrouperRecord;
  readonly expected?: {
    readonly mdc: string;
    readonly adrg: string;
    readonly drg: string;
    readonly status: string;
  };
}

/** A case that cannot be read: the message names the line and field. */
export class CaseInputError extends HdwError {
  constructor(message: string) {
    super('E_GROUPER_INPUT', message);
  }
}

/** `1`/`男`/`M` → "1", `2`/`女`/`F` → "2", empty → "" (fails the checks); anything else is an error. */
export function normaliseGender(value: string): string {
  const v = value.trim();
  if (v === '' || v === '1' || v === '2') return v;
  if (v === '男' || v.toUpperCase() === 'M') return '1';
  if (v === '女' || v.toUpperCase() === 'F') return '2';
  throw new CaseInputError(`gender '${value}' is not 1/2/男/女/M/F`);
}

/** A number field: empty is absent; anything but a number is an error. */
export function optionalNumber(value: string | undefined, field: string): number | undefined {
  const v = (value ?? '').trim();
  if (v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CaseInputError(`${field} '${value}' is not a number`);
  return n;
}

/** `A|B|C` (or `A,B`) → codes, blanks dropped. */
export function codeList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[|,，]/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** Parses a CSV of cases; a bad value stops with its line and field named. */
export function parseCaseCsv(text: string, file = 'input'): CaseRow[] {
  const rows: Record<string, string>[] = parse(text, { columns: true, skip_empty_lines: true, bom: true });
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const missing = CASE_COLUMNS.filter((c) => rows.length > 0 && !header.includes(c));
  if (missing.length) throw new CaseInputError(`${file}: missing column(s) ${missing.join(', ')}`);
  const hasExpected = header.includes('expected_drg');
  return rows.map((row, i) => {
    const line = i + 2;
    try {
      return {
        id: row.case_id!,
        line,
        record: {
          gender: normaliseGender(row.gender!),
          age: optionalNumber(row.age_years, 'age_years'),
          ageDay: optionalNumber(row.age_days, 'age_days'),
          weight: optionalNumber(row.birth_weight_g, 'birth_weight_g'),
          zdList: codeList(row.diagnoses),
          ssList: codeList(row.procedures),
        },
        ...(hasExpected
          ? {
              expected: {
                mdc: row.expected_mdc ?? '',
                adrg: row.expected_adrg ?? '',
                drg: row.expected_drg ?? '',
                status: row.expected_status ?? '',
              },
            }
          : {}),
      };
    } catch (error) {
      throw new CaseInputError(`${file} line ${line} (case ${row.case_id}): ${(error as Error).message}`);
    }
  });
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The results as CSV: one row per case, its group, status and reasons (`；`-separated, in order). */
export function resultsCsv(rows: readonly CaseRow[], results: readonly GroupResult[]): string {
  const withExpected = rows.some((r) => r.expected);
  const header = [
    'case_id',
    'mdc',
    'adrg',
    'drg',
    'status',
    ...(withExpected ? ['matches_expected'] : []),
    'reasons',
  ];
  const lines = rows.map((row, i) => {
    const r = results[i]!;
    const fields = [row.id, r.mdc, r.adrg, r.drg, r.status];
    if (withExpected) fields.push(row.expected ? String(matchesExpected(row, r)) : '');
    fields.push(r.reasons.map((x) => x.text).join('；'));
    return fields.map(csvField).join(',');
  });
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** Whether a result equals the case's expected MDC, ADRG, DRG and status. */
export function matchesExpected(row: CaseRow, r: GroupResult): boolean {
  const e = row.expected;
  return !!e && e.mdc === r.mdc && e.adrg === r.adrg && e.drg === r.drg && e.status === r.status;
}
