import { computed, reactive } from 'vue';
import type { LocationQuery } from 'vue-router';
import type { CubeQuery } from './cube';
import { session } from './session';

/**
 * What every page is filtered by: a month range and, for users who may see several hospitals, one
 * hospital or the whole alliance. Kept in the address (`?from=2025-01&to=2025-06&h=H…`), so a page
 * can be bookmarked, shared and drilled into with the same period.
 */
export interface PageFilters {
  from: string | null;
  to: string | null;
  hospital: string | null;
}

export const filters = reactive<PageFilters>({ from: null, to: null, hospital: null });

/** The months that have data, newest last, and the hospitals the user may pick (see `loadChoices`). */
export const choices = reactive<{ months: string[]; hospitals: { code: string; name: string }[] }>({
  months: [],
  hospitals: [],
});

export const hospitalName = computed(
  () =>
    choices.hospitals.find((h) => h.code === effectiveHospital())?.name ??
    session.state.user?.hospital_name ??
    '全部成员医院',
);

export function fromRoute(query: LocationQuery): void {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  filters.from = text(query.from) ?? filters.from;
  filters.to = text(query.to) ?? filters.to;
  filters.hospital = text(query.h);
}

export function toRoute(): Record<string, string> {
  const query: Record<string, string> = {};
  if (filters.from) query.from = filters.from;
  if (filters.to) query.to = filters.to;
  if (filters.hospital) query.h = filters.hospital;
  return query;
}

/** A member is always scoped to its own hospital (the server enforces it; this keeps the labels right). */
export function effectiveHospital(): string | null {
  return session.isMember.value ? (session.state.user?.hospital_code ?? null) : filters.hospital;
}

/** Defaults once the months are known: the last 12 months with data. */
export function defaultPeriod(): void {
  const months = choices.months;
  if (months.length === 0) return;
  if (!filters.to || !months.includes(filters.to)) filters.to = months[months.length - 1]!;
  if (!filters.from || !months.includes(filters.from) || filters.from > filters.to) {
    filters.from = months[Math.max(0, months.indexOf(filters.to) - 11)]!;
  }
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** The period as a Cube time dimension filter on `member` (a time dimension of the view). */
export function periodOf(member: string, granularity?: 'month' | 'year'): NonNullable<CubeQuery['timeDimensions']>[number] {
  const range = filters.from && filters.to ? ([`${filters.from}-01`, lastDay(filters.to)] as [string, string]) : undefined;
  return { dimension: member, ...(range ? { dateRange: range } : {}), ...(granularity ? { granularity } : {}) };
}

/** The same period one year earlier (for growth rates), or undefined without a period. */
export function previousYearOf(member: string): NonNullable<CubeQuery['timeDimensions']>[number] | undefined {
  if (!filters.from || !filters.to) return undefined;
  const back = (m: string) => `${Number(m.slice(0, 4)) - 1}${m.slice(4)}`;
  return { dimension: member, dateRange: [`${back(filters.from)}-01`, lastDay(back(filters.to))] };
}

/** Years covered by the period (for marts kept per year). */
export function yearsOf(): string[] {
  if (!filters.from || !filters.to) return [];
  const years: string[] = [];
  for (let y = Number(filters.from.slice(0, 4)); y <= Number(filters.to.slice(0, 4)); y += 1) years.push(String(y));
  return years;
}

/** Filter on the view's `hospital_code` when one hospital is chosen. */
export function hospitalFilterOf(member: string): NonNullable<CubeQuery['filters']> {
  const code = effectiveHospital();
  return code ? [{ member, operator: 'equals', values: [code] }] : [];
}

// The choices of the last publish, kept for the browser tab (sessionStorage) so that opening the next
// page does not wait for Cube: a page starts with them at once, and asks afresh when the freshness
// shows another publish (another run id) than the one they came from; another user never sees them.
const choicesStorageKey = 'hdw.choices';
const signedInUser = () => session.state.user?.username ?? '';

interface SavedChoices {
  readonly user: string;
  readonly runId: string | number;
  readonly months: string[];
  readonly hospitals: { code: string; name: string }[];
}

function savedChoices(): SavedChoices | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(choicesStorageKey) ?? 'null') as SavedChoices | null;
    return saved?.user === signedInUser() && Array.isArray(saved.months) && saved.months.length > 0 ? saved : null;
  } catch {
    return null;
  }
}

function saveChoices(saved: SavedChoices): void {
  try {
    sessionStorage.setItem(choicesStorageKey, JSON.stringify(saved));
  } catch {
    // private mode: the next page asks again
  }
}

/** Choices applied from the tab before the freshness was known: their publish, and the period the address gave. */
let assumed: { readonly runId: string | number; readonly from: string | null; readonly to: string | null } | null = null;

/**
 * Applies the months and hospitals the tab kept for this user, and the default period, at once (before
 * the page mounts), so its queries need not wait for the freshness; `loadChoices` then checks them
 * against the publish it reports.
 */
export function applySavedChoices(): void {
  if (choices.months.length > 0) return;
  const saved = savedChoices();
  if (!saved) return;
  assumed = { runId: saved.runId, from: filters.from, to: filters.to };
  choices.months = saved.months;
  choices.hospitals = saved.hospitals;
  defaultPeriod();
}

/**
 * Loads the months with data and the hospitals the user may see (from `fund_efficiency`, which
 * every role may read), then applies the default period. Asked of Cube once per sign-in and
 * publish: choices kept from another publish than `publishRunId` (from `/api/freshness`) are asked
 * afresh, and a period they defaulted to is defaulted again from the new months; null (freshness
 * unknown) always asks.
 */
export async function loadChoices(
  load: (q: CubeQuery) => Promise<{ rows: Record<string, unknown>[] }>,
  publishRunId: string | number | null,
): Promise<void> {
  const earlier = assumed;
  assumed = null;
  // kept choices of the current publish stand; otherwise choices already loaded on this page load stand
  if (earlier ? publishRunId !== null && earlier.runId === publishRunId : choices.months.length > 0) return;
  const [months, hospitals] = await Promise.all([
    load({
      measures: ['fund_efficiency.discharges'],
      timeDimensions: [{ dimension: 'fund_efficiency.month', granularity: 'month' }],
      order: { 'fund_efficiency.month': 'asc' },
    }),
    load({
      dimensions: ['fund_efficiency.hospital_code', 'fund_efficiency.hospital_name'],
      order: { 'fund_efficiency.hospital_code': 'asc' },
    }),
  ]);
  choices.months = months.rows.map((r) => String(r['fund_efficiency.month.month']).slice(0, 7));
  choices.hospitals = hospitals.rows.map((r) => ({
    code: String(r['fund_efficiency.hospital_code']),
    name: String(r['fund_efficiency.hospital_name']),
  }));
  if (publishRunId !== null && choices.months.length > 0)
    saveChoices({ user: signedInUser(), runId: publishRunId, months: choices.months, hospitals: choices.hospitals });
  if (earlier) {
    filters.from = earlier.from;
    filters.to = earlier.to;
  }
  defaultPeriod();
}

export function resetChoices(): void {
  try {
    sessionStorage.removeItem(choicesStorageKey);
  } catch {
    // nothing kept
  }
  choices.months = [];
  choices.hospitals = [];
  filters.from = null;
  filters.to = null;
  filters.hospital = null;
}
