/**
 * Dates for the demo year as plain numbers (days since 1970-01-01 and seconds
 * since 1970-01-01, both in local wall-clock time with no zone), because
 * formatting millions of timestamps through `Date` would dominate run time.
 */

export const SECONDS_PER_DAY = 86_400;

/** One reporting month of the demo year. */
export interface Period {
  readonly key: string; // YYYY-MM
  readonly year: number;
  readonly month: number; // 1-12
  readonly firstDay: number; // day number
  readonly days: number;
}

/**
 * The months the alliance delivers: by default 2024-01 … 2025-12; `months` restricts each year
 * to those months (the small demo: the first quarter of both years).
 */
export function demoPeriods(
  years: readonly number[] = [2024, 2025],
  months: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
): readonly Period[] {
  const periods: Period[] = [];
  for (const year of years) for (const m of months) periods.push(period(year, m));
  return periods;
}

function period(year: number, m: number): Period {
  {
    const firstDay = dayNumber(year, m, 1);
    const nextFirst = m === 12 ? dayNumber(year + 1, 1, 1) : dayNumber(year, m + 1, 1);
    return { key: `${year}-${pad2(m)}`, year, month: m, firstDay, days: nextFirst - firstDay };
  }
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

export function pad2(n: number): string {
  return PAD2[n] ?? String(n);
}

const dateCache = new Map<number, string>();

/** `YYYY-MM-DD` for a day number (memoised: the demo touches a few hundred days). */
export function formatDate(day: number): string {
  let s = dateCache.get(day);
  if (s === undefined) {
    const d = new Date(day * 86_400_000);
    s = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    dateCache.set(day, s);
  }
  return s;
}

/** `YYYY-MM-DD HH:mm:ss` for seconds since the epoch. */
export function formatTimestamp(seconds: number): string {
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  let rest = seconds - day * SECONDS_PER_DAY;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${formatDate(day)} ${PAD2[h]}:${PAD2[m]}:${PAD2[s]}`;
}

/** `YYYY-MM` of a day number. */
export function monthKey(day: number): string {
  return formatDate(day).slice(0, 7);
}

/** Whole years between a birth day and a reference day. */
export function ageInYears(birthDay: number, onDay: number): number {
  const b = formatDate(birthDay);
  const o = formatDate(onDay);
  const by = Number(b.slice(0, 4));
  const oy = Number(o.slice(0, 4));
  const before = o.slice(5) < b.slice(5);
  return oy - by - (before ? 1 : 0);
}

/**
 * Public holidays of 2024 and 2025 on which outpatient volume collapses (Spring
 * Festival, Qingming, Labour Day, Dragon Boat, National Day).
 */
export function isHoliday(day: number): boolean {
  const s = formatDate(day);
  const md = s.slice(5);
  if (s.startsWith('2024-'))
    return (
      md === '01-01' ||
      (md >= '02-10' && md <= '02-17') ||
      (md >= '04-04' && md <= '04-06') ||
      (md >= '05-01' && md <= '05-05') ||
      (md >= '06-08' && md <= '06-10') ||
      (md >= '10-01' && md <= '10-07')
    );
  if (!s.startsWith('2025-')) return false;
  return (
    md === '01-01' ||
    (md >= '01-28' && md <= '02-04') ||
    (md >= '04-04' && md <= '04-06') ||
    (md >= '05-01' && md <= '05-05') ||
    (md >= '05-31' && md <= '06-02') ||
    (md >= '10-01' && md <= '10-08')
  );
}
