import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dayNumber, formatDate, weekday, type Period } from './calendar.ts';
import { csvRow, formatCents, formatPrice } from './csv-format.ts';
import type { WrittenFile } from './csv-sink.ts';
import type { DefectLog } from './defect-log.ts';
import { DEFECT_RATES } from './defect-kinds.ts';
import { COST_ITEMS, PROCUREMENT_CUTS, purchasePrice } from './economy.ts';
import { OVERRUN, type CaseFact, type HospitalRun, type ScenarioFact } from './hospital-run.ts';

/** Size of a generated demo. */
export type DemoSize = 'small' | 'full';

const GROUND_TRUTH_DIR = '_ground_truth';
const COST_COLUMNS = COST_ITEMS.map(([code]) => `cost_${code}`);

/** Estimated cost of each stay: its clean charges times its hospital-month's cost/revenue. */
export function caseCosts(runs: readonly HospitalRun[]): (c: CaseFact) => number {
  const ratio = new Map<string, number>();
  for (const run of runs)
    for (const m of run.hospitalMonths) {
      const cost = m.costs.reduce((a, b) => a + b, 0);
      ratio.set(`${m.hospital}/${m.period}`, m.revenue > 0 ? cost / m.revenue : 1);
    }
  return (c) => Math.round(c.cleanTotal * (ratio.get(`${c.hospital.code}/${c.period}`) ?? 1));
}

/**
 * Writes the ground truth under `_ground_truth/`: `defects.csv` (every planted cleansing defect
 * with its file and physical line), `scenarios.csv` (every planted payer scenario with its key),
 * `cases.csv` (per stay: true and coded group, weights, standard, clean total, estimated cost,
 * stay, death, outlier, review status, main diagnosis and procedure, attending doctor code, ICU and
 * ventilation hours as the settlement list has them), `open_stays.csv` (per stay in bed at the run's
 * cut-off: census date, admission, current department, days in bed, the group it was planned for
 * with the diagnoses and procedures it is planned to be coded with (and when each procedure is
 * performed, before the cut-off or after it), the diagnoses recorded and the
 * procedures performed so far, its charges to date and their line count), `dept_months.csv` and `hospital_months.csv` (revenue and
 * cost by the seven cost items, by month of use) and `manifest.json` (seed, periods, hospitals,
 * and per file rows, defect counts and sha256). Nothing time-dependent: the same seed yields the
 * same bytes.
 */
export async function writeGroundTruth(
  outDir: string,
  seed: number,
  size: DemoSize,
  periods: readonly Period[],
  runs: readonly HospitalRun[],
  files: readonly WrittenFile[],
  log: DefectLog,
): Promise<{ files: WrittenFile[]; scenarios: number }> {
  const dir = join(outDir, GROUND_TRUTH_DIR);
  await mkdir(dir, { recursive: true });
  const out: WrittenFile[] = [];
  const write = async (name: string, lines: readonly string[], rows: number): Promise<void> => {
    const text = Buffer.from(lines.join('\n') + '\n', 'utf8');
    await writeFile(join(dir, name), text);
    out.push({
      file: `${GROUND_TRUTH_DIR}/${name}`,
      rows,
      bytes: text.length,
      sha256: createHash('sha256').update(text).digest('hex'),
      defects: {},
    });
  };

  const records = log.sorted();
  await write(
    'defects.csv',
    [
      'file,line,defect,record_key',
      ...records.map((r) => csvRow([r.file, String(r.line), r.defect, r.recordKey])),
    ],
    records.length,
  );

  const costOf = caseCosts(runs);
  const cases = runs.flatMap((r) => r.cases);
  await write(
    'cases.csv',
    [
      'hospital_code,visit_id,period,discharge_date,insurance_type,true_drg_code,true_rw,coded_drg_code,coded_rw,payment_method,dip_code,dip_score,payment_standard,clean_total,est_cost,los,died,outlier,scenarios,setl_status,refused_amount,refuse_reason_code,main_diag_code,main_oprn_code,attending_doctor_code,icu_hours,vent_hours',
      ...cases.map((c) =>
        csvRow([
          c.hospital.code,
          c.visitId,
          c.period,
          c.dischargeDate,
          c.insurance,
          c.trueDrg.code,
          c.trueRw.toFixed(4),
          c.coded.drg.code,
          c.coded.rw.toFixed(4),
          c.insurance === '999' ? '' : c.coded.method,
          c.coded.dip?.code ?? '',
          c.coded.dip ? c.coded.dipScore.toFixed(2) : '',
          formatCents(c.coded.standard),
          formatCents(c.cleanTotal),
          formatCents(costOf(c)),
          String(c.los),
          c.died ? '1' : '0',
          c.outlier,
          c.scenarios.join('|'),
          c.status,
          formatCents(c.refused),
          c.refuseReason,
          c.mainDiag,
          c.mainOprn,
          c.clinical.doctor.code,
          c.clinical.icuHours > 0 ? c.clinical.icuHours.toFixed(2) : '',
          c.clinical.ventHours > 0 ? c.clinical.ventHours.toFixed(2) : '',
        ]),
      ),
    ],
    cases.length,
  );

  const openStays = runs.flatMap((r) => r.openStays);
  await write(
    'open_stays.csv',
    [
      'hospital_code,visit_id,snapshot_date,admit_time,current_dept_code,days_in_bed,planned_drg_code,planned_diagnoses,planned_procedures,planned_procedure_times,diagnoses_so_far,procedures_so_far,charges_to_date,charge_lines',
      ...openStays.map((o) =>
        csvRow([
          o.hospital,
          o.visitId,
          o.snapshotDate,
          o.admitTime,
          o.currentDept,
          String(o.daysInBed),
          o.plannedDrg,
          o.plannedDiagnoses.join('|'),
          o.plannedProcedures.join('|'),
          o.plannedProcedureTimes.join('|'),
          o.diagnosesSoFar.join('|'),
          o.proceduresSoFar.join('|'),
          formatCents(o.chargesToDate),
          String(o.chargeLines),
        ]),
      ),
    ],
    openStays.length,
  );

  const scenarios: ScenarioFact[] = runs.flatMap((r) => r.scenarios);
  scenarios.push(...overrunWeeks(cases, costOf));
  scenarios.push(...priceMoves(runs, periods));
  for (const c of cases) {
    if (c.status === '待审核')
      scenarios.push({
        scenario: 'settlement_pending',
        hospital: c.hospital.code,
        period: c.period,
        key: c.visitId,
        detail: '',
      });
    else if (c.status === '部分拒付')
      scenarios.push({
        scenario: 'settlement_partly_refused',
        hospital: c.hospital.code,
        period: c.period,
        key: c.visitId,
        detail: `${c.refuseReason} ${formatCents(c.refused)}`,
      });
  }
  await write(
    'scenarios.csv',
    [
      'scenario,hospital_code,period,key,detail',
      ...scenarios.map((s) => csvRow([s.scenario, s.hospital, s.period, s.key, s.detail])),
    ],
    scenarios.length,
  );

  const deptMonths = runs.flatMap((r) => r.deptMonths);
  await write(
    'dept_months.csv',
    [
      ['hospital_code', 'period', 'dept_code', 'dept_class', 'revenue', ...COST_COLUMNS, 'cost_total'].join(
        ',',
      ),
      ...deptMonths.map((d) =>
        csvRow([
          d.hospital,
          d.period,
          d.dept.code,
          d.dept.deptClass,
          formatCents(d.revenue),
          ...d.costs.map(formatCents),
          formatCents(d.costs.reduce((a, b) => a + b, 0)),
        ]),
      ),
    ],
    deptMonths.length,
  );
  const months = runs.flatMap((r) => r.hospitalMonths);
  await write(
    'hospital_months.csv',
    [
      [
        'hospital_code',
        'period',
        'revenue',
        'revenue_drugs',
        'revenue_materials',
        'revenue_outpatient',
        'revenue_inpatient',
        ...COST_COLUMNS,
        'cost_total',
        'discharges',
        'outpatient_visits',
        'bed_days',
      ].join(','),
      ...months.map((m) =>
        csvRow([
          m.hospital,
          m.period,
          formatCents(m.revenue),
          formatCents(m.revenueDrugs),
          formatCents(m.revenueMaterials),
          formatCents(m.revenueOutpatient),
          formatCents(m.revenueInpatient),
          ...m.costs.map(formatCents),
          formatCents(m.costs.reduce((a, b) => a + b, 0)),
          String(m.discharges),
          String(m.outpatientVisits),
          String(Math.round(m.bedDays)),
        ]),
      ),
    ],
    months.length,
  );

  const sorted = [...files, ...out].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const manifest = {
    generator: 'hospital-dw demo',
    seed,
    size,
    periods: periods.map((p) => p.key),
    hospitals: runs.map(({ hospital: h }) => ({
      code: h.code,
      name: h.name,
      level: h.levelName,
      level_code: String(h.level),
      region: h.region,
      region_name: h.regionName,
      community: h.community ?? null,
      payer: h.payer.publisher,
      payment: h.payer.scheme,
      encoding: h.encoding === 'gbk' ? 'GBK' : h.encoding === 'utf8-bom' ? 'UTF-8 with BOM' : 'UTF-8',
      header_language: h.headerLanguage,
    })),
    defect_rates: DEFECT_RATES,
    totals: {
      files: sorted.length,
      rows: sorted.reduce((n, f) => n + f.rows, 0),
      defects: records.length,
      scenarios: scenarios.length,
    },
    files: sorted.map((f) => ({
      file: f.file,
      rows: f.rows,
      bytes: f.bytes,
      sha256: f.sha256,
      defects: f.defects,
    })),
  };
  const manifestText = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  await writeFile(join(dir, 'manifest.json'), manifestText);
  out.push({
    file: `${GROUND_TRUTH_DIR}/manifest.json`,
    rows: 0,
    bytes: manifestText.length,
    sha256: createHash('sha256').update(manifestText).digest('hex'),
    defects: {},
  });
  return { files: out, scenarios: scenarios.length };
}

/**
 * The weeks (Monday to Sunday) in which the planted group's average estimated cost at the
 * planted hospital ran above its average payment standard — one row per week, keyed
 * `<drg>:<monday>`.
 */
function overrunWeeks(cases: readonly CaseFact[], costOf: (c: CaseFact) => number): ScenarioFact[] {
  const weeks = new Map<string, { cost: number; standard: number; n: number; period: string }>();
  for (const c of cases) {
    if (c.hospital.code !== OVERRUN.hospital || c.trueDrg.code !== OVERRUN.drg || c.coded.standard <= 0)
      continue;
    if (c.dischargeDate < OVERRUN.from || c.dischargeDate > OVERRUN.to) continue;
    const day = dayNumber(
      Number(c.dischargeDate.slice(0, 4)),
      Number(c.dischargeDate.slice(5, 7)),
      Number(c.dischargeDate.slice(8)),
    );
    const monday = formatDate(day - ((weekday(day) + 6) % 7));
    const w = weeks.get(monday) ?? { cost: 0, standard: 0, n: 0, period: c.period };
    w.cost += costOf(c);
    w.standard += c.coded.standard;
    w.n++;
    weeks.set(monday, w);
  }
  return [...weeks]
    .filter(([, w]) => w.cost > w.standard)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([monday, w]) => ({
      scenario: 'drg_cost_over_standard_week',
      hospital: OVERRUN.hospital,
      period: w.period,
      key: `${OVERRUN.drg}:${monday}`,
      detail: `${w.n} 例，次均成本 ${formatCents(Math.round(w.cost / w.n))} > 支付标准 ${formatCents(Math.round(w.standard / w.n))}`,
    }));
}

/** The 集采 purchase-price cuts, per hospital and drug, from the first month they apply. */
function priceMoves(runs: readonly HospitalRun[], periods: readonly Period[]): ScenarioFact[] {
  const out: ScenarioFact[] = [];
  for (const run of runs)
    for (const [key, cut] of Object.entries(PROCUREMENT_CUTS)) {
      const at = periods.find((p) => p.key >= cut.from);
      const before = [...periods].reverse().find((p) => p.key < cut.from);
      if (!at || !before) continue;
      const item = run.dict.item(key);
      out.push({
        scenario: 'drug_price_move',
        hospital: run.hospital.code,
        period: at.key,
        key: item.code,
        detail: `${formatPrice(purchasePrice(item, before))} → ${formatPrice(purchasePrice(item, at))}`,
      });
    }
  return out;
}
