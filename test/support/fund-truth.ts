import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { FILE_SCHEMAS, type Entity } from '../../pipelines/demo/file-schemas.ts';
import { truth } from './demo-truth.ts';
import { drgTruth } from './drg-truth.ts';
import { notQuarantined } from './ground-truth.ts';

type Row = Record<string, string>;

/** The additive parts of the fund indicators of one hospital and month, from the generated files. */
export interface FundMonthTruth {
  readonly hospital: string;
  /** `YYYY-MM`. */
  readonly month: string;
  /** The stays' DRG group ('' ungrouped) for the group rows; '*' for the hospital's month. */
  readonly group: string;
  outpatientVisits: number;
  /** Charge lines by charge month (cents): outpatient, inpatient, all, and by the seed's flags. */
  outpatientCents: number;
  inpatientCents: number;
  medicalCents: number;
  drugCents: number;
  herbalCents: number;
  materialCents: number;
  /** ERP/HRP ledger by accounting month: the seed material_cost_items' cost items (cents). */
  materialCostCents: number;
  /** Stays by discharge month: count, Σ 医疗费总额 (cents), Σ length of stay. */
  discharges: number;
  dischargedTotalCents: number;
  bedDays: number;
  /** Settlement lists of the month's stays (cents). */
  declaredCases: number;
  settledCases: number;
  declaredCents: number;
  settledDeclaredCents: number;
  settledCents: number;
  refusedCents: number;
  deductedCents: number;
  fundPaidCents: number;
  /** Stays with a settlement list and a payment standard: Σ standard and Σ 医疗费总额 (cents). */
  standardCents: number;
  actualCents: number;
  /** Fund paid by fund type (cents), from the fund payment lines of the month's stays. */
  readonly fundByType: Map<string, number>;
  /** Refused and deducted amounts (cents) by refusal reason code ('' where the list gives none). */
  readonly refusalsByReason: Map<string, { refusedCents: number; deductedCents: number; cases: number }>;
}

const cents = (v: string | undefined): number => Math.round(Number(v || 0) * 100);

function decode(file: string): string {
  const bytes = readFileSync(file);
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gbk') : utf8.replace(/^\uFEFF/, '');
}

const readCsvText = (text: string): Row[] =>
  parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true }) as Row[];

/** n / d rounded half away from zero to `places` decimals, exactly, as PostgreSQL's numeric rounds; null when d is 0. */
export function exact(n: bigint, d: bigint, places: number): number | null {
  if (d === 0n) return null;
  const scale = 10n ** BigInt(places);
  const negative = n < 0n !== d < 0n;
  const an = (n < 0n ? -n : n) * scale;
  const ad = d < 0n ? -d : d;
  const q = (2n * an + ad) / (2n * ad);
  return Number(negative ? -q : q) / Number(scale);
}

/** The month (`YYYY-MM`) `months` before `month` (after it when negative). */
export function shiftMonth(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) - months;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

const seedRows = (seedsDir: string, folder: string, name: string): Row[] =>
  readCsvText(readFileSync(path.join(seedsDir, folder, `${name}.csv`), 'utf8'));

/** The seed charge_categories by category code (its drug, 中药饮片 and material flags). */
const chargeCategories = (seedsDir: string): Map<string, Row> =>
  new Map(seedRows(seedsDir, 'reference', 'charge_categories').map((r) => [r.category_code ?? '', r]));

/**
 * `file:line` of the generated lines the warehouse does not load: those the ground truth names as
 * a defect, except the defects that only warn (a duplicate is dropped, so it is left out too).
 */
function skippedLines(dir: string): Set<string> {
  return new Set(
    truth(dir, 'defects.csv')
      .filter((d) => d.defect === 'duplicate_row' || !notQuarantined.has(d.defect ?? ''))
      .map((d) => `${d.file}:${d.line}`),
  );
}

/**
 * Calls `fn` with every loaded row (English column names) of a hospital's files of an entity, one
 * file in memory at a time: its monthly files (only those of `periods` when given) and its
 * undated one.
 */
function eachLoadedRow(
  dir: string,
  skipped: ReadonlySet<string>,
  hospital: string,
  entity: Entity,
  fn: (row: Row) => void,
  periods?: readonly string[],
): void {
  const [system, name] = entity.split('/') as [string, string];
  const folder = path.join(dir, hospital, system);
  const names = new Map(FILE_SCHEMAS[entity].map(([en, zh]) => [zh as string, en as string]));
  const wanted = (f: string) =>
    f === `${name}.csv` ||
    (f.startsWith(`${name}_`) &&
      f.endsWith('.csv') &&
      (!periods || periods.includes(f.slice(name.length + 1, -4))));
  for (const file of readdirSync(folder).filter(wanted).sort()) {
    const rel = `${hospital}/${system}/${file}`;
    readCsvText(decode(path.join(folder, file))).forEach((raw, i) => {
      if (skipped.has(`${rel}:${i + 2}`)) return;
      fn(Object.fromEntries(Object.entries(raw).map(([k, v]) => [names.get(k) ?? k, v])));
    });
  }
}

/** Drug and medical revenue of one charge month and member (the hospital, or a standard department). */
export interface DrugShareParts {
  /** `YYYY-MM`. */
  readonly month: string;
  /** `*` for the hospital; else the ordering department's standard department (`-` when unmapped). */
  readonly member: string;
  drugCents: number;
  medicalCents: number;
}

/**
 * 药占比's parts (drug revenue by the seed charge_categories, and all medical revenue, in cents) of
 * one hospital by charge month, for the hospital and for each ordering department's standard
 * department (its departments dictionary), from its charge-line files of the `periods` delivered so
 * far, never from the warehouse. A file of month M also carries earlier months' lines (stays
 * discharged in M), so a month's figures change when the next month's file arrives.
 */
export function drugShareParts(
  dir: string,
  seedsDir: string,
  hospital: string,
  periods: readonly string[],
): DrugShareParts[] {
  const categories = chargeCategories(seedsDir);
  const skipped = skippedLines(dir);
  const standard = new Map<string, string>();
  eachLoadedRow(dir, skipped, hospital, 'his/departments', (d) =>
    standard.set(d.dept_code ?? '', d.std_dept_code || '-'),
  );
  const parts = new Map<string, DrugShareParts>();
  eachLoadedRow(
    dir,
    skipped,
    hospital,
    'his/charge_lines',
    (l) => {
      const month = (l.charge_time ?? '').slice(0, 7);
      const amount = cents(l.amount);
      const drug = categories.get(l.category_code ?? '')?.is_drug === 'true' ? amount : 0;
      for (const member of ['*', standard.get(l.order_dept_code ?? '') ?? '-']) {
        const key = `${month}|${member}`;
        const p = parts.get(key) ?? { month, member, drugCents: 0, medicalCents: 0 };
        p.drugCents += drug;
        p.medicalCents += amount;
        parts.set(key, p);
      }
    },
    periods,
  );
  return [...parts.values()].sort((a, b) => `${a.member}|${a.month}`.localeCompare(`${b.member}|${b.month}`));
}

/**
 * The fund indicators' parts per hospital and month (and, for stays and settlement lists, per DRG
 * group as well) of a generated demo, from its delivered files,
 * the ground truth and the project's seeds, never from the warehouse: outpatient visits (by visit
 * month), charge lines (by charge month; drug, 中药饮片 and material by the seed charge_categories),
 * the ERP/HRP
 * ledger's material cost items (by accounting month, seed material_cost_items), stays by discharge
 * month with their 医疗费总额, length of stay and standard as
 * {@link drgTruth} classifies them, and their settlement lists (declared, clearing status per the
 * seed settlement_statuses, refused, deducted, fund paid, fund payments by type). A line the
 * ground truth names as a defect is left out as the warehouse leaves it out (quarantined, or dropped
 * as a duplicate), except the defects that only warn.
 */
export function fundTruth(
  dir: string,
  seedsDir: string,
): {
  /** Per hospital and month. */
  hospitalMonths: FundMonthTruth[];
  /** Per hospital, discharge month and DRG group: the stays' and settlement parts only. */
  groupMonths: FundMonthTruth[];
  /** `hospital|item|YYYY-MM` of every drug (by the seed charge_categories) bought in that month. */
  drugPurchases: Set<string>;
} {
  const manifest = JSON.parse(readFileSync(path.join(dir, '_ground_truth', 'manifest.json'), 'utf8')) as {
    hospitals: { code: string }[];
  };
  const seed = (folder: string, name: string) => seedRows(seedsDir, folder, name);
  const categories = chargeCategories(seedsDir);
  const materialItems = new Set(seed('fund', 'material_cost_items').map((r) => r.cost_item_code));
  const settledStatus = new Set(
    seed('fund', 'settlement_statuses')
      .filter((r) => r.is_settled === 'true')
      .map((r) => r.settlement_status),
  );
  const skipped = skippedLines(dir);
  const eachRow = (hospital: string, entity: Entity, fn: (row: Row) => void): void =>
    eachLoadedRow(dir, skipped, hospital, entity, fn);

  const months = new Map<string, FundMonthTruth>();
  const at = (hospital: string, month: string, group = '*'): FundMonthTruth => {
    const key = `${hospital}|${month}|${group}`;
    let m = months.get(key);
    if (!m) {
      m = {
        hospital,
        month,
        group,
        outpatientVisits: 0,
        outpatientCents: 0,
        inpatientCents: 0,
        medicalCents: 0,
        drugCents: 0,
        herbalCents: 0,
        materialCents: 0,
        materialCostCents: 0,
        discharges: 0,
        dischargedTotalCents: 0,
        bedDays: 0,
        declaredCases: 0,
        settledCases: 0,
        declaredCents: 0,
        settledDeclaredCents: 0,
        settledCents: 0,
        refusedCents: 0,
        deductedCents: 0,
        fundPaidCents: 0,
        standardCents: 0,
        actualCents: 0,
        fundByType: new Map(),
        refusalsByReason: new Map(),
      };
      months.set(key, m);
    }
    return m;
  };

  const { cases } = drgTruth(dir, seedsDir);
  const stays = new Map(cases.map((c) => [`${c.hospital}|${c.visitId}`, c]));
  for (const c of cases) {
    for (const m of [at(c.hospital, c.month), at(c.hospital, c.month, c.drg ?? '')]) {
      m.discharges += 1;
      // A stay whose total or stay is known from no source adds nothing to the sums (the mart's sum skips nulls).
      m.dischargedTotalCents += c.totalCents ?? 0;
      m.bedDays += c.losDays ?? 0;
      if (c.hasSettlement && c.standardCents !== undefined && c.standardCents > 0) {
        m.standardCents += c.standardCents;
        m.actualCents += c.totalCents ?? 0;
      }
    }
  }

  const drugPurchases = new Set<string>();
  const itemCategory = new Map<string, string>();
  for (const { code: hospital } of manifest.hospitals) {
    eachRow(hospital, 'his/charge_items', (i) =>
      itemCategory.set(`${hospital}|${i.item_code}`, i.category_code ?? ''),
    );
    eachRow(hospital, 'his/outpatient_visits', (v) => {
      at(hospital, (v.visit_time ?? '').slice(0, 7)).outpatientVisits += 1;
    });
    eachRow(hospital, 'his/charge_lines', (l) => {
      const m = at(hospital, (l.charge_time ?? '').slice(0, 7));
      const amount = cents(l.amount);
      const k = categories.get(l.category_code ?? '');
      m.medicalCents += amount;
      if (l.visit_type === 'O') m.outpatientCents += amount;
      else m.inpatientCents += amount;
      if (k?.is_drug === 'true') m.drugCents += amount;
      if (k?.is_herbal_pieces === 'true') m.herbalCents += amount;
      if (k?.is_material === 'true') m.materialCents += amount;
    });
    eachRow(hospital, 'erp/purchases', (p) => {
      if (
        categories.get(itemCategory.get(`${hospital}|${p.item_code}`) ?? '')?.is_drug === 'true' &&
        Number(p.quantity) > 0
      )
        drugPurchases.add(`${hospital}|${p.item_code}|${p.period}`);
    });
    eachRow(hospital, 'erp/cost_ledger', (l) => {
      if (materialItems.has(l.cost_item_code))
        at(hospital, l.period ?? '').materialCostCents += cents(l.amount);
    });
    eachRow(hospital, 'insurance/settlements', (s) => {
      const stay = stays.get(`${hospital}|${s.mdtrt_id}`);
      if (!stay) throw new Error(`settlement ${s.setl_id} of ${hospital} has no stay`);
      const m = at(hospital, stay.month);
      const g = at(hospital, stay.month, stay.drg ?? '');
      for (const x of [m, g]) x.fundPaidCents += cents(s.fund_pay_sumamt);
      if (!s.declared_amount) return;
      const declared = cents(s.declared_amount);
      const refused = cents(s.refused_amount);
      const deducted = cents(s.deducted_amount);
      for (const x of [m, g]) {
        x.declaredCases += 1;
        x.declaredCents += declared;
        x.refusedCents += refused;
        x.deductedCents += deducted;
        if (settledStatus.has(s.setl_status ?? '')) {
          x.settledCases += 1;
          x.settledDeclaredCents += declared;
          x.settledCents += declared - refused - deducted;
        }
      }
      if (refused > 0 || deducted > 0) {
        const reason = s.refuse_reason_code ?? '';
        const r = m.refusalsByReason.get(reason) ?? { refusedCents: 0, deductedCents: 0, cases: 0 };
        r.refusedCents += refused;
        r.deductedCents += deducted;
        r.cases += 1;
        m.refusalsByReason.set(reason, r);
      }
    });
    eachRow(hospital, 'insurance/fund_payments', (f) => {
      const stay = stays.get(`${hospital}|${f.mdtrt_id}`);
      if (!stay) throw new Error(`fund payment of ${f.setl_id} (${hospital}) has no stay`);
      const m = at(hospital, stay.month);
      const type = f.fund_pay_type ?? '';
      m.fundByType.set(type, (m.fundByType.get(type) ?? 0) + cents(f.fund_payamt));
    });
  }
  const sorted = [...months.values()].sort((a, b) =>
    `${a.hospital}|${a.month}|${a.group}`.localeCompare(`${b.hospital}|${b.month}|${b.group}`),
  );
  return {
    hospitalMonths: sorted.filter((m) => m.group === '*'),
    groupMonths: sorted.filter((m) => m.group !== '*'),
    drugPurchases,
  };
}
