import { createHash } from 'node:crypto';
import { GROUP_STATUS, type GroupResult, type GrouperRecord, type GroupStatus } from '../../core/drg-grouper/grouper.ts';

/**
 * Where a stay's grouping input came from: its front page, else its settlement list, else (a stay
 * still in bed) the latest census snapshot with the diagnoses recorded so far.
 */
export type PregroupSource = 'front_page' | 'settlement_list' | 'in_stay';

/** A coded diagnosis or procedure as delivered: code, principal/main flag, and its order. */
export type CodedItem = readonly [code: string | null, isPrincipal: boolean | null, seq: number | null];

/** One stay as the pre-group stage reads it from the raw front pages or settlement lists. */
export interface PregroupInput {
  readonly hospitalCode: string;
  readonly visitId: string;
  readonly recordSource: PregroupSource;
  /** As delivered: `1` male, `2` female; anything else (0, 9, empty) is no usable gender. */
  readonly gender: string | null;
  readonly ageYears: number | null;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string | null;
  /** Admission date, `YYYY-MM-DD`: the age is the age on admission. */
  readonly admittedOn: string | null;
  readonly diagnoses: readonly CodedItem[];
  readonly procedures: readonly CodedItem[];
}

/** What the stage stores for one stay (a row of ops.case_pregroups, less its keys and time). */
export interface PregroupRow {
  readonly hospitalCode: string;
  readonly visitId: string;
  readonly recordSource: PregroupSource;
  readonly inputHash: string;
  readonly mdcCode: string | null;
  readonly adrgCode: string | null;
  readonly drgCode: string | null;
  readonly status: GroupStatus;
  /** The reasons a coder reads, in order, one per line. */
  readonly reasons: string;
}

const DAY_MS = 86_400_000;

function dateMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(`${value.slice(0, 10)}T00:00:00Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Full years between two dates (a birthday counts from its day). */
function fullYears(birth: string, on: string): number {
  const [by, bm, bd] = birth.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [oy, om, od] = on.slice(0, 10).split('-').map(Number) as [number, number, number];
  return oy - by - (om < bm || (om === bm && od < bd) ? 1 : 0);
}

/**
 * Codes principal (main) first, then by their sequence number, blanks and repeats dropped: the
 * order the grouper reads (`zdList[0]` is the principal diagnosis, `ssList[0]` the main procedure).
 * A stay coded with two principal flags keeps the one with the lower sequence number first.
 */
export function orderedCodes(items: readonly CodedItem[]): string[] {
  const sorted = [...items].sort(
    (a, b) =>
      Number(b[1] === true) - Number(a[1] === true) ||
      (a[2] ?? Number.MAX_SAFE_INTEGER) - (b[2] ?? Number.MAX_SAFE_INTEGER),
  );
  const seen = new Set<string>();
  const codes: string[] = [];
  for (const [code] of sorted) {
    const c = (code ?? '').trim();
    if (c === '' || seen.has(c)) continue;
    seen.add(c);
    codes.push(c);
  }
  return codes;
}

/**
 * The grouper's record of one stay: gender `1`/`2` (others left empty, so the grouper's check
 * names them), age in years as coded (else from the birth date on admission), age in days from the
 * birth date to admission, diagnoses principal first and procedures main first. Neither the front
 * page nor the settlement list delivers a newborn's birth weight, so it is absent: a newborn of
 * ≤ 28 days fails the grouper's check with that reason.
 */
export function pregroupRecord(input: PregroupInput): GrouperRecord {
  const gender = (input.gender ?? '').trim();
  const birth = dateMs(input.birthDate);
  const admitted = dateMs(input.admittedOn);
  const ageDay = birth !== undefined && admitted !== undefined && admitted >= birth
    ? Math.round((admitted - birth) / DAY_MS)
    : undefined;
  const ageYears =
    input.ageYears ??
    (ageDay !== undefined ? fullYears(input.birthDate!, input.admittedOn!) : undefined);
  return {
    gender: gender === '1' || gender === '2' ? gender : '',
    age: ageYears ?? undefined,
    ageDay,
    weight: undefined,
    zdList: orderedCodes(input.diagnoses),
    ssList: orderedCodes(input.procedures),
  };
}

/** A hash of what grouping reads of a stay (its source and record): unchanged input, no regrouping. */
export function inputHash(source: PregroupSource, record: GrouperRecord): string {
  const canonical = JSON.stringify([
    source,
    record.gender,
    record.age ?? null,
    record.ageDay ?? null,
    record.weight ?? null,
    record.zdList,
    record.ssList,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** A stay ready to group: its record and input hash, or why no record could be made of it. */
export type PreparedStay =
  | { readonly record: GrouperRecord; readonly inputHash: string }
  | { readonly error: string; readonly inputHash: string };

/** Builds a stay's record and hash; a stay whose fields cannot be read gives its error instead. */
export function prepareStay(input: PregroupInput): PreparedStay {
  try {
    const record = pregroupRecord(input);
    return { record, inputHash: inputHash(input.recordSource, record) };
  } catch (error) {
    const raw = JSON.stringify([input.recordSource, input.gender, input.ageYears, input.birthDate,
      input.admittedOn, input.diagnoses, input.procedures]);
    return {
      error: (error as Error).message,
      inputHash: createHash('sha256').update(raw).digest('hex').slice(0, 32),
    };
  }
}

/**
 * Groups one prepared stay; never throws. A stay without a record, or one the grouper cannot take
 * (it throws), is stored as 信息校验不通过 with the error as its reason, so one bad record never
 * stops the run.
 */
export function groupStay(
  input: Pick<PregroupInput, 'hospitalCode' | 'visitId' | 'recordSource'>,
  prepared: PreparedStay,
  group: (record: GrouperRecord) => GroupResult,
): PregroupRow {
  const keys = {
    hospitalCode: input.hospitalCode,
    visitId: input.visitId,
    recordSource: input.recordSource,
    inputHash: prepared.inputHash,
  };
  const failed = (message: string): PregroupRow => ({
    ...keys,
    mdcCode: null,
    adrgCode: null,
    drgCode: null,
    status: GROUP_STATUS.checkFailed,
    reasons: `病例信息无法分组：${message}`,
  });
  if ('error' in prepared) return failed(prepared.error);
  try {
    const result = group(prepared.record);
    return {
      ...keys,
      mdcCode: result.mdc,
      adrgCode: result.adrg,
      drgCode: result.drg,
      status: result.status,
      reasons: result.reasons.map((r) => r.text).join('\n'),
    };
  } catch (error) {
    return failed((error as Error).message);
  }
}
