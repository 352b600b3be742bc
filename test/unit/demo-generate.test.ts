import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGNOSES } from '../../pipelines/demo/catalog/diagnoses.ts';
import { FILE_SCHEMAS, PUBLISHER_SCHEMAS, type Entity } from '../../pipelines/demo/file-schemas.ts';
import { generateDemo, type DemoSummary } from '../../pipelines/demo/generate.ts';
import { HOSPITALS as ALLIANCE } from '../../pipelines/demo/hospitals.ts';
import { demoTruthProblems, paymentPolicyProblems } from '../support/demo-truth.ts';

// Everything below re-reads the generated files as an outside consumer would:
// decode, parse with csv-parse, and check each rule on the parsed values.

const H3 = 'H32090200001';
const H2 = 'H32092100011';
const GBK = 'H32092500021';
const HOSPITALS = ALLIANCE.map((h) => h.code);
const ENCODING = Object.fromEntries(ALLIANCE.map((h) => [h.code, h.encoding === 'gbk' ? 'gbk' : 'utf8']));
const ZH = new Set(ALLIANCE.filter((h) => h.headerLanguage === 'zh').map((h) => h.code));
const PERIODS = ['2024-01', '2024-02', '2024-03', '2025-01', '2025-02', '2025-03'];

interface CsvFile {
  readonly rel: string;
  readonly header: string[];
  /** Raw physical lines, index 0 = line 1 (header). */
  readonly lines: string[];
  /** Parsed records keyed by English column name; index i = physical line i + 2. */
  readonly rows: Record<string, string>[];
}

let dir = '';
let summary: DemoSummary;
const cache = new Map<string, CsvFile>();

function decode(rel: string): string {
  const bytes = readFileSync(path.join(dir, rel));
  const hospital = rel.split('/')[0] ?? '';
  if (ENCODING[hospital] === 'gbk') return iconv.decode(bytes, 'gbk');
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function schemaOf(rel: string): readonly (readonly [string, string])[] {
  const [, system, file] = rel.split('/');
  const entity = `${system}/${(file ?? '').replace(/(_\d{4}(-\d{2}(-\d{2})?)?)?\.csv$/, '')}`;
  return rel.startsWith('P')
    ? PUBLISHER_SCHEMAS[entity as keyof typeof PUBLISHER_SCHEMAS]
    : FILE_SCHEMAS[entity as Entity];
}

function load(rel: string): CsvFile {
  const hit = cache.get(rel);
  if (hit) return hit;
  const text = decode(rel);
  expect(text.endsWith('\n')).toBe(true);
  expect(text.includes('\r')).toBe(false);
  const lines = text.slice(0, -1).split('\n');
  const records = parse(text, { relax_column_count: false }) as string[][];
  // One record per physical line: no field carries a line break.
  expect(records.length).toBe(lines.length);
  const header = records[0] ?? [];
  const schema = schemaOf(rel);
  const names = schema.map(([en, zh]) => (ZH.has(rel.split('/')[0] ?? '') ? zh : en));
  expect(header).toEqual(names);
  const rows = records.slice(1).map((r) => Object.fromEntries(schema.map(([en], i) => [en, r[i] ?? ''])));
  const file = { rel, header, lines, rows };
  cache.set(rel, file);
  return file;
}

function files(hospital: string, system: string, prefix: string): string[] {
  return readdirSync(path.join(dir, hospital, system))
    .filter((f) => f.startsWith(prefix))
    .sort()
    .map((f) => `${hospital}/${system}/${f}`);
}

interface Defect {
  readonly file: string;
  readonly line: number;
  readonly defect: string;
  readonly key: string;
}

let defects: Defect[] = [];
const defectAt = new Map<string, Defect>();

const num = (s: string | undefined): number => Number(s);
const near = (a: number, b: number, tol = 0.0051): boolean => Math.abs(a - b) <= tol;

interface Dictionaries {
  readonly depts: Set<string>;
  readonly prices: Map<string, number>;
}

function dictionaries(hospital: string): Dictionaries {
  const depts = new Set(load(`${hospital}/his/departments.csv`).rows.map((r) => r.dept_code ?? ''));
  const prices = new Map(
    load(`${hospital}/his/charge_items.csv`).rows.map((r) => [r.item_code ?? '', num(r.unit_price)]),
  );
  return { depts, prices };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-demo-'));
  summary = await generateDemo({ size: 'small', seed: 20250101, outDir: dir });
  const gt = parse(readFileSync(path.join(dir, '_ground_truth/defects.csv'), 'utf8'), {
    columns: true,
  }) as Record<string, string>[];
  defects = gt.map((r) => ({
    file: r.file ?? '',
    line: Number(r.line),
    defect: r.defect ?? '',
    key: r.record_key ?? '',
  }));
  for (const d of defects) defectAt.set(`${d.file}#${d.line}`, d);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('generateDemo small', () => {
  it('produces volumes in the stated ranges', () => {
    expect(summary.inpatientCases).toBeGreaterThanOrEqual(1000);
    expect(summary.inpatientCases).toBeLessThanOrEqual(1300);
    expect(summary.outpatientVisits).toBeGreaterThanOrEqual(4800);
    expect(summary.outpatientVisits).toBeLessThanOrEqual(5600);
    let chargeLines = 0;
    const inpatientIds = new Set<string>();
    for (const h of HOSPITALS) {
      for (const f of files(h, 'his', 'charge_lines_')) chargeLines += load(f).rows.length;
      for (const f of files(h, 'his', 'inpatient_visits_'))
        for (const r of load(f).rows) inpatientIds.add(`${h}/${r.visit_id}`);
    }
    expect(chargeLines).toBe(summary.chargeLines);
    expect(chargeLines).toBeGreaterThanOrEqual(55_000);
    expect(chargeLines).toBeLessThanOrEqual(80_000);
    expect(inpatientIds.size).toBe(summary.inpatientCases);
  });

  it('writes the exact layout: the first quarter of 2024 and 2025 per hospital, and the publishers', () => {
    expect(readdirSync(dir).sort()).toEqual([...HOSPITALS, 'P320900', 'P320925', '_ground_truth'].sort());
    for (const h of HOSPITALS) {
      expect(readdirSync(path.join(dir, h)).sort()).toEqual(['emr', 'erp', 'his', 'insurance', 'lab']);
      expect(files(h, 'his', 'charge_lines_').map((f) => f.slice(-11, -4))).toEqual(PERIODS);
      expect(files(h, 'his', 'departments')).toEqual([`${h}/his/departments.csv`]);
      expect(files(h, 'his', 'inpatient_visits_')[0]).toBe(`${h}/his/inpatient_visits_2024-01.csv`);
      expect(files(h, 'insurance', 'settlements_')).toHaveLength(6);
      for (const prefix of [
        'cost_ledger_',
        'headcount_',
        'purchases_',
        'allocation_drivers_',
        'service_split_',
      ])
        expect(files(h, 'erp', prefix), prefix).toHaveLength(6);
      expect(files(h, 'erp', 'fixed_assets')).toHaveLength(1);
      expect(files(h, 'emr', 'drg_groupings_')).toHaveLength(6);
      // The stays in bed at the end of the run: one census snapshot, dated the last day.
      expect(files(h, 'his', 'inpatient_census_2')).toEqual([`${h}/his/inpatient_census_2025-03-31.csv`]);
      expect(files(h, 'his', 'inpatient_census_diagnoses_')).toEqual([
        `${h}/his/inpatient_census_diagnoses_2025-03-31.csv`,
      ]);
      expect(files(h, 'his', 'inpatient_census_procedures_')).toEqual([
        `${h}/his/inpatient_census_procedures_2025-03-31.csv`,
      ]);
    }
    expect(readdirSync(path.join(dir, 'P320900', 'insurance')).sort()).toEqual(
      ['drg_base_rates', 'drg_groups', 'regional_reference']
        .flatMap((e) => [`${e}_2024.csv`, `${e}_2025.csv`])
        .sort(),
    );
    expect(readdirSync(path.join(dir, 'P320925', 'insurance')).sort()).toEqual(
      ['dip_budget', 'dip_catalogue'].flatMap((e) => [`${e}_2024.csv`, `${e}_2025.csv`]).sort(),
    );
    expect(readdirSync(path.join(dir, '_ground_truth')).sort()).toEqual([
      'cases.csv',
      'defects.csv',
      'dept_months.csv',
      'hospital_months.csv',
      'manifest.json',
      'open_stays.csv',
      'scenarios.csv',
    ]);
  });

  it('encodes each hospital as specified', () => {
    const bom = readFileSync(path.join(dir, H2, 'his/charge_lines_2025-01.csv'));
    const levels = new Map<string, number>();
    for (const h of ALLIANCE) levels.set(h.levelName, (levels.get(h.levelName) ?? 0) + 1);
    expect(Object.fromEntries(levels)).toEqual({ 三级: 2, 二级: 4, 一级: 4 });
    expect([...bom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const plain = readFileSync(path.join(dir, H3, 'his/charge_lines_2025-01.csv'));
    expect(plain.subarray(0, 7).toString('latin1')).toBe('line_id');
    const gbk = readFileSync(path.join(dir, GBK, 'his/charge_lines_2025-01.csv'));
    const text = iconv.decode(gbk, 'gbk');
    expect(text.split('\n')[0]).toBe(
      '明细流水号,就诊类型,就诊号,收费时间,项目编码,项目名称,费用类别,数量,单价,金额,开单科室,执行科室',
    );
    // Not valid UTF-8, so really GBK; and it round-trips without replacement characters.
    expect(gbk.toString('utf8').includes('\ufffd')).toBe(true);
    expect(iconv.encode(text, 'gbk').equals(gbk)).toBe(true);
    const items = iconv.decode(readFileSync(path.join(dir, GBK, 'his/charge_items.csv')), 'gbk');
    expect(items).toContain('Ⅰ级护理');
    expect(items).toContain('"复方氨基酸注射液(18AA,250ml)"');
    expect(items.includes('?')).toBe(false);
  });

  it('lists manifest rows and sha256 that match the files', async () => {
    const { createHash } = await import('node:crypto');
    const manifest = JSON.parse(readFileSync(path.join(dir, '_ground_truth/manifest.json'), 'utf8')) as {
      seed: number;
      size: string;
      periods: string[];
      hospitals: { code: string; encoding: string; header_language: string }[];
      files: { file: string; rows: number; sha256: string; defects: Record<string, number> }[];
    };
    expect(manifest.seed).toBe(20250101);
    expect(manifest.size).toBe('small');
    expect(manifest.periods).toEqual(PERIODS);
    expect(manifest.hospitals).toHaveLength(10);
    const identity = new Map(manifest.hospitals.map((h) => [h.code, [h.encoding, h.header_language]]));
    expect(identity.get(H3)).toEqual(['UTF-8', 'en']);
    expect(identity.get(H2)).toEqual(['UTF-8 with BOM', 'en']);
    expect(identity.get(GBK)).toEqual(['GBK', 'zh']);
    const perFile = new Map<string, Record<string, number>>();
    for (const d of defects) {
      const m = perFile.get(d.file) ?? {};
      m[d.defect] = (m[d.defect] ?? 0) + 1;
      perFile.set(d.file, m);
    }
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(dir, f.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      if (f.file.startsWith('_ground_truth')) continue;
      expect(load(f.file).rows.length).toBe(f.rows);
      expect(f.defects).toEqual(perFile.get(f.file) ?? {});
    }
    expect(manifest.files.length).toBe(summary.files - 1);
  });

  it('plants every HIS defect kind at a small rate', () => {
    const his = defects.filter((d) => d.file.includes('/his/'));
    const kinds = new Set(his.map((d) => d.defect));
    expect([...kinds].sort()).toEqual(
      [
        'amount_mismatch',
        'discharge_before_admission',
        'duplicate_row',
        'missing_required',
        'orphan_charge',
        'price_spike',
        'unknown_department',
        'unknown_item',
      ].sort(),
    );
    const lineDefects = his.filter((d) => d.file.includes('charge_lines'));
    const rate = lineDefects.length / summary.chargeLines;
    expect(rate).toBeGreaterThan(0.01);
    expect(rate).toBeLessThan(0.05);
    const keys = new Set(defects.map((d) => `${d.file}#${d.line}`));
    expect(keys.size).toBe(defects.length); // one kind per row
  });

  it('HIS defects really exhibit their defect, and clean rows break no rule', () => {
    // Collect problems instead of one expect per row: tens of thousands of rows are checked.
    const problems: string[] = [];
    const ok = (cond: boolean, what: string): void => {
      if (!cond && problems.length < 50) problems.push(what);
    };
    for (const h of HOSPITALS) {
      const { depts, prices } = dictionaries(h);
      const visitIds = { I: new Set<string>(), O: new Set<string>() };
      const stays = new Map<string, { admit: string; discharge: string; total: number; month: string }>();
      for (const f of files(h, 'his', 'outpatient_visits_')) {
        const file = load(f);
        const seen = new Set<string>();
        file.rows.forEach((r, i) => {
          const at = `${f}:${i + 2}`;
          const d = defectAt.get(`${f}#${i + 2}`);
          const raw = file.lines[i + 1] ?? '';
          visitIds.O.add(r.visit_id ?? '');
          if (d) ok(d.key === r.visit_id, `${at} record_key`);
          if (d?.defect === 'duplicate_row') ok(seen.has(raw), `${at} duplicate_row without earlier copy`);
          else if (d?.defect === 'missing_required') ok(r.patient_id === '', `${at} missing_required`);
          else if (d?.defect === 'unknown_department')
            ok(!depts.has(r.dept_code ?? ''), `${at} unknown_department`);
          else {
            ok(d === undefined, `${at} unexpected ${d?.defect}`);
            ok(!seen.has(raw), `${at} undeclared duplicate`);
            ok(r.patient_id !== '', `${at} patient_id`);
            ok(depts.has(r.dept_code ?? ''), `${at} dept_code`);
            ok(r.gender === '1' || r.gender === '2', `${at} gender`);
            ok(['310', '390', '999'].includes(r.insurance_type ?? ''), `${at} insurance_type`);
          }
          seen.add(raw);
        });
      }
      for (const f of files(h, 'his', 'inpatient_visits_')) {
        const file = load(f);
        const month = f.slice(-11, -4);
        const seen = new Set<string>();
        file.rows.forEach((r, i) => {
          const at = `${f}:${i + 2}`;
          const d = defectAt.get(`${f}#${i + 2}`);
          const raw = file.lines[i + 1] ?? '';
          visitIds.I.add(r.visit_id ?? '');
          ok((r.discharge_time ?? '').slice(0, 7) === month, `${at} discharge month`);
          if (d) ok(d.key === r.visit_id, `${at} record_key`);
          if (d?.defect === 'duplicate_row') ok(seen.has(raw), `${at} duplicate_row without earlier copy`);
          else if (d?.defect === 'missing_required') ok(r.patient_id === '', `${at} missing_required`);
          else if (d?.defect === 'unknown_department')
            ok(!depts.has(r.discharge_dept_code ?? ''), `${at} unknown_department`);
          else if (d?.defect === 'discharge_before_admission')
            ok((r.discharge_time ?? '') < (r.admit_time ?? ''), `${at} discharge_before_admission`);
          else {
            ok(d === undefined, `${at} unexpected ${d?.defect}`);
            ok(!seen.has(raw), `${at} undeclared duplicate`);
            ok(r.patient_id !== '', `${at} patient_id`);
            ok(
              depts.has(r.admit_dept_code ?? '') && depts.has(r.discharge_dept_code ?? ''),
              `${at} departments`,
            );
            ok((r.admit_time ?? '') <= (r.discharge_time ?? ''), `${at} admit after discharge`);
            const days = (Date.parse(`${r.discharge_time}Z`) - Date.parse(`${r.admit_time}Z`)) / 86_400_000;
            ok(days < 60, `${at} stay of ${days} days`);
            ok((r.birth_date ?? '') <= (r.admit_time ?? ''), `${at} born after admission`);
            stays.set(r.visit_id ?? '', {
              admit: r.admit_time ?? '',
              discharge: r.discharge_time ?? '',
              total: num(r.total_amount),
              month,
            });
          }
          seen.add(raw);
        });
      }
      // Stays still in bed at the cut-off: their lines so far come with the last month's file.
      const inBed = new Map<string, { admit: string; snapshot: string }>();
      for (const f of files(h, 'his', 'inpatient_census_2'))
        for (const r of load(f).rows) {
          ok(!visitIds.I.has(r.visit_id ?? ''), `${f} ${r.visit_id} in bed and discharged`);
          ok((r.admit_time ?? '') <= (r.snapshot_time ?? ''), `${f} ${r.visit_id} admitted after the cut-off`);
          ok(depts.has(r.current_dept_code ?? ''), `${f} ${r.visit_id} department`);
          inBed.set(r.visit_id ?? '', { admit: r.admit_time ?? '', snapshot: r.snapshot_time ?? '' });
          visitIds.I.add(r.visit_id ?? '');
        }
      // Their procedures so far: exactly the planned ones performed between admission and the cut-off.
      const planned = new Map(
        (parse(readFileSync(path.join(dir, '_ground_truth', 'open_stays.csv'), 'utf8'), { columns: true }) as Record<
          string,
          string
        >[])
          .filter((o) => o.hospital_code === h)
          .map((o) => [o.visit_id ?? '', o]),
      );
      const performed = new Map<string, string[]>();
      for (const f of files(h, 'his', 'inpatient_census_procedures_'))
        for (const r of load(f).rows) {
          const stay = inBed.get(r.visit_id ?? '');
          ok(stay !== undefined, `${f} ${r.visit_id} procedure of a stay not in bed`);
          const at = r.oprn_time ?? '';
          ok(!!stay && at >= stay.admit && at <= stay.snapshot, `${f} ${r.visit_id} procedure at ${at} outside admission → cut-off`);
          performed.set(r.visit_id ?? '', [...(performed.get(r.visit_id ?? '') ?? []), `${r.oprn_code}@${at}`]);
        }
      for (const [visit, stay] of inBed) {
        const o = planned.get(visit);
        ok(o !== undefined, `${h} ${visit} in bed without ground truth`);
        const codes = (o?.planned_procedures ?? '').split('|').filter(Boolean);
        const times = (o?.planned_procedure_times ?? '').split('|').filter(Boolean);
        const due = codes.map((c, i) => `${c}@${times[i]}`).filter((x) => x.slice(x.indexOf('@') + 1) <= stay.snapshot);
        ok(
          JSON.stringify(performed.get(visit) ?? []) === JSON.stringify(due),
          `${h} ${visit} procedures ${performed.get(visit)} ≠ planned by the cut-off ${due}`,
        );
      }
      const visitTotals = new Map<string, number>();
      for (const f of files(h, 'his', 'charge_lines_')) {
        const file = load(f);
        const month = f.slice(-11, -4);
        const seen = new Set<string>();
        const cleanIds = new Set<string>();
        file.rows.forEach((r, i) => {
          const at = `${f}:${i + 2}`;
          const d = defectAt.get(`${f}#${i + 2}`);
          const raw = file.lines[i + 1] ?? '';
          const q = num(r.quantity);
          const p = num(r.unit_price);
          const a = num(r.amount);
          const dictPrice = prices.get(r.item_code ?? '');
          const type = r.visit_type === 'I' ? 'I' : 'O';
          if (d) ok(d.key === r.line_id, `${at} record_key`);
          if (d?.defect === 'duplicate_row') {
            ok(seen.has(raw), `${at} duplicate_row without earlier copy`);
            return;
          }
          seen.add(raw);
          if (d?.defect !== 'orphan_charge') {
            ok(visitIds[type].has(r.visit_id ?? ''), `${at} visit ${r.visit_id} missing`);
            if (type === 'I') {
              const key = `${month}/${r.visit_id}`;
              visitTotals.set(key, (visitTotals.get(key) ?? 0) + Math.round(a * 100));
            }
          }
          switch (d?.defect) {
            case 'missing_required':
              ok(r.charge_time === '', `${at} missing_required`);
              break;
            case 'unknown_department':
              ok(
                !depts.has(r.order_dept_code ?? '') && depts.has(r.exec_dept_code ?? ''),
                `${at} unknown_department`,
              );
              ok(near(a, q * p), `${at} unknown_department also breaks the amount`);
              break;
            case 'unknown_item':
              ok(dictPrice === undefined, `${at} unknown_item is in the dictionary`);
              ok(
                near(a, q * p) && depts.has(r.order_dept_code ?? ''),
                `${at} unknown_item breaks another rule`,
              );
              break;
            case 'orphan_charge':
              ok(!visitIds[type].has(r.visit_id ?? ''), `${at} orphan_charge has a visit`);
              ok(dictPrice === p && near(a, q * p), `${at} orphan_charge breaks another rule`);
              break;
            case 'amount_mismatch':
              ok(Math.abs(a - q * p) > 0.01, `${at} amount_mismatch`);
              ok(dictPrice === p, `${at} amount_mismatch also changes the price`);
              break;
            case 'price_spike':
              ok(p > 1.2 * (dictPrice ?? Infinity), `${at} price_spike`);
              ok(near(a, q * p), `${at} price_spike amount inconsistent`);
              break;
            case undefined: {
              ok(!cleanIds.has(r.line_id ?? ''), `${at} line_id repeated`);
              cleanIds.add(r.line_id ?? '');
              ok(dictPrice === p, `${at} price ${p} ≠ dictionary ${dictPrice}`);
              ok(a === Math.round(q * p * 100 + 1e-7) / 100, `${at} amount ${a} ≠ ${q} × ${p}`);
              ok(
                depts.has(r.order_dept_code ?? '') && depts.has(r.exec_dept_code ?? ''),
                `${at} departments`,
              );
              ok(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(r.charge_time ?? ''), `${at} charge_time`);
              ok(r.visit_type === 'I' || r.visit_type === 'O', `${at} visit_type`);
              const open = type === 'I' ? inBed.get(r.visit_id ?? '') : undefined;
              if (open)
                ok(
                  (r.charge_time ?? '') >= open.admit && (r.charge_time ?? '') <= open.snapshot,
                  `${at} charge of a stay in bed outside admission → cut-off`,
                );
              const stay = type === 'I' ? stays.get(r.visit_id ?? '') : undefined;
              if (stay)
                ok(
                  (r.charge_time ?? '') >= stay.admit && (r.charge_time ?? '') <= stay.discharge,
                  `${at} charge outside the stay`,
                );
              break;
            }
            default:
              ok(false, `${at} unexpected defect ${d?.defect}`);
          }
        });
      }
      // total_amount = Σ amount of the stay's distinct lines, in its discharge-month file.
      for (const [id, stay] of stays)
        ok(
          Math.round(stay.total * 100) === (visitTotals.get(`${stay.month}/${id}`) ?? 0),
          `${h} ${id} total_amount`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('EMR, insurance, ERP and LIS defects exhibit their defect and clean rows reconcile', () => {
    const validDx = new Set(DIAGNOSES.map((d) => d.code));
    const sexOf = new Map(DIAGNOSES.filter((d) => d.sex !== undefined).map((d) => [d.code, d.sex]));
    const kinds = new Set<string>();
    for (const h of HOSPITALS) {
      const { depts } = dictionaries(h);
      const hisTotal = new Map<string, number>();
      for (const f of files(h, 'his', 'inpatient_visits_'))
        for (const r of load(f).rows) hisTotal.set(r.visit_id ?? '', num(r.total_amount));
      const pages = new Map<string, Record<string, string>>();
      for (const f of files(h, 'emr', 'front_pages_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          pages.set(r.visit_id ?? '', r);
          const groups = FILE_SCHEMAS['emr/front_pages']
            .map(([en]) => en)
            .filter(
              (c) =>
                c.startsWith('fee_') &&
                !['fee_clinical_physio', 'fee_anesthesia', 'fee_surgery', 'fee_antibacterial'].includes(c),
            );
          const sum = groups.reduce((s, c) => s + num(r[c]), 0);
          if (d) kinds.add(d.defect);
          if (d?.defect === 'fee_sum_mismatch') expect(near(sum, num(r.total_fee), 0.01)).toBe(false);
          else expect(near(sum, num(r.total_fee), 0.01), `${f}:${i + 2}`).toBe(true);
          if (d?.defect === 'missing_required') expect(r.medcasno).toBe('');
          else expect(r.medcasno).not.toBe('');
          expect(num(r.total_fee)).toBe(hisTotal.get(r.visit_id ?? ''));
        });
      }
      for (const f of files(h, 'emr', 'front_page_diagnoses_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          const code = r.diag_code ?? '';
          const gender = Number(pages.get(r.visit_id ?? '')?.gender);
          if (d) kinds.add(d.defect);
          if (d?.defect === 'unknown_diagnosis_code') expect(validDx.has(code)).toBe(false);
          else expect(validDx.has(code)).toBe(true);
          if (d?.defect === 'diagnosis_sex_conflict') expect(sexOf.get(code)).toBe(gender === 1 ? 2 : 1);
          else if (sexOf.has(code)) expect(sexOf.get(code)).toBe(gender);
        });
      }
      for (const f of files(h, 'emr', 'front_page_procedures_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          const page = pages.get(r.visit_id ?? '');
          const inside =
            (r.oprn_date ?? '') >= (page?.admit_time ?? '').slice(0, 10) &&
            (r.oprn_date ?? '') <= (page?.discharge_time ?? '').slice(0, 10);
          if (d) kinds.add(d.defect);
          expect(inside, `${f}:${i + 2}`).toBe(d?.defect !== 'procedure_date_out_of_stay');
        });
      }
      const fundSum = new Map<string, number>();
      for (const f of files(h, 'insurance', 'fund_payments_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          if (d) kinds.add(d.defect);
          expect(num(r.fund_payamt) < 0).toBe(d?.defect === 'negative_amount');
          if (!d)
            fundSum.set(
              r.setl_id ?? '',
              (fundSum.get(r.setl_id ?? '') ?? 0) + Math.round(num(r.fund_payamt) * 100),
            );
          else fundSum.set(r.setl_id ?? '', NaN);
        });
      }
      for (const f of files(h, 'insurance', 'settlements_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          if (d) kinds.add(d.defect);
          const his = hisTotal.get(r.mdtrt_id ?? '');
          if (d?.defect === 'settlement_without_visit') {
            expect(his).toBeUndefined();
            return;
          }
          expect(his).toBeDefined();
          const medfee = num(r.medfee_sumamt);
          expect(near(medfee, his ?? NaN)).toBe(d?.defect !== 'medfee_total_mismatch');
          const cents = (c: string): number => Math.round(num(r[c]) * 100);
          expect(cents('medfee_sumamt')).toBe(
            cents('fund_pay_sumamt') + cents('psn_selfpay') + cents('psn_ownpay'),
          );
          expect(cents('psn_selfpay') + cents('psn_ownpay')).toBe(cents('acct_pay') + cents('psn_cashpay'));
          const funds = fundSum.get(r.setl_id ?? '');
          if (funds !== undefined && !Number.isNaN(funds)) expect(funds).toBe(cents('fund_pay_sumamt'));
          if (r.drg_code)
            expect(
              near(num(r.payment_standard), num(r.drg_rw) * num(r.base_rate) * num(r.level_coef), 0.011),
            ).toBe(true);
        });
      }
      for (const f of files(h, 'insurance', 'settlement_diagnoses_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          if (d) kinds.add(d.defect);
          expect(validDx.has(r.diag_code ?? '')).toBe(d?.defect !== 'unknown_diagnosis_code');
        });
      }
      for (const f of files(h, 'erp', 'cost_ledger_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          if (d) kinds.add(d.defect);
          expect(num(r.amount) < 0).toBe(d?.defect === 'negative_amount');
          expect(depts.has(r.dept_code ?? '')).toBe(d?.defect !== 'unknown_department');
        });
      }
      for (const f of files(h, 'lab', 'workload_')) {
        load(f).rows.forEach((r, i) => {
          const d = defectAt.get(`${f}#${i + 2}`);
          if (d) kinds.add(d.defect);
          expect(depts.has(r.order_dept_code ?? '')).toBe(d?.defect !== 'unknown_department');
          expect(depts.has(r.exec_dept_code ?? '')).toBe(true);
        });
      }
    }
    expect(kinds.size).toBeGreaterThanOrEqual(9);
  });

  it('prices the 三级 hospital 15–30% above the 二级 ones for service items', () => {
    const byInsurance = (h: string): Map<string, number> =>
      new Map(
        load(`${h}/his/charge_items.csv`)
          .rows.filter((r) => !['08', '09', '10', '11'].includes(r.category_code ?? ''))
          .map((r) => [r.insurance_code ?? '', num(r.unit_price)]),
      );
    const high = byInsurance(H3);
    const low = byInsurance(H2);
    const ratios = [...high]
      .filter(([code, p]) => low.has(code) && p > 5)
      .map(([code, p]) => p / (low.get(code) ?? p));
    const median = ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
    expect(median).toBeGreaterThanOrEqual(1.15);
    expect(median).toBeLessThanOrEqual(1.3);
  });

  it('shows seasonality and growth: a January respiratory peak, a February dip, more stays in 2025', () => {
    const byMonth = new Map<string, { resp: number; all: number }>();
    for (const h of HOSPITALS) {
      for (const f of files(h, 'emr', 'drg_groupings_')) {
        const m = f.slice(-11, -4);
        const e = byMonth.get(m) ?? { resp: 0, all: 0 };
        for (const r of load(f).rows) {
          e.all++;
          if (/^(ES3|ET2|EX2|DT1)/.test(r.drg_code ?? '')) e.resp++;
        }
        byMonth.set(m, e);
      }
    }
    const g = (m: string): { resp: number; all: number } => byMonth.get(m) ?? { resp: 0, all: 0 };
    expect(g('2024-01').resp + g('2025-01').resp).toBeGreaterThan(
      1.15 * (g('2024-03').resp + g('2025-03').resp),
    );
    expect(g('2025-02').all).toBeLessThan(g('2025-03').all);
    const year = (y: string): number =>
      PERIODS.filter((p) => p.startsWith(y)).reduce((n, p) => n + g(p).all, 0);
    expect(year('2025')).toBeGreaterThan(year('2024'));
  });
});

describe('generateDemo small: economics and planted scenarios', () => {
  it('runs every hospital near cost recovery with a third of cost in personnel, and plants every scenario with its key', () => {
    // The cost-recovery band is a year's economics: a hospital with under 150 stays in these two
    // quarters swings with its case mix (H32090200013: 0.848–0.899 over five
    // seeds, 0.879 on the full demo), so only its ledger is checked here; demo-economics holds every
    // hospital of the full demo to the band (HDW_FULL=1).
    expect(demoTruthProblems(dir, { minDischarges: 150, requireOverrunWeeks: 1 })).toEqual([]);
  });

  it('books the seven cost items with their sub-items, and medical-technical units consume reagents and films', () => {
    const ledger = load(`${H3}/erp/cost_ledger_2025-02.csv`).rows;
    expect([...new Set(ledger.map((r) => r.cost_item_code))].sort()).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '07',
    ]);
    const subs = new Set(ledger.map((r) => r.cost_subitem_code));
    for (const s of ['0201', '0202', '0203', '0204', '0301', '0302', '0303'])
      expect(subs.has(s), s).toBe(true);
    const depts = new Map(load(`${H3}/his/departments.csv`).rows.map((r) => [r.dept_code, r.dept_class]));
    const reagents = ledger.filter((r) => r.cost_subitem_code === '0203' || r.cost_subitem_code === '0204');
    expect(reagents.length).toBeGreaterThan(0);
    expect(
      reagents.every((r) => depts.get(r.dept_code ?? '') === '医疗技术类' || !depts.has(r.dept_code ?? '')),
    ).toBe(true);
    const drivers = new Set(load(`${H3}/erp/allocation_drivers_2025-02.csv`).rows.map((r) => r.driver_code));
    expect([...drivers].sort()).toEqual(
      [
        'IMAGING_EXAMS',
        'IP_DISCHARGES',
        'LAB_TESTS',
        'LAUNDRY_KG',
        'MEALS',
        'OP_REGISTRATIONS',
        'STERILE_PACKS',
      ].sort(),
    );
    const split = load(`${H3}/erp/service_split_2025-02.csv`).rows;
    expect(split.length).toBeGreaterThan(5);
    for (const r of split)
      expect(near(num(r.outpatient_share) + num(r.inpatient_share), 1, 0.0001)).toBe(true);
  });

  it('publishes the payment policy: RW, base rates, level coefficients, outlier thresholds, 点值 and the DIP county', () => {
    const groups = load('P320900/insurance/drg_groups_2025.csv').rows;
    expect(groups.length).toBeGreaterThan(40);
    expect(
      groups.every(
        (g) => num(g.rw) > 0 && num(g.high_outlier_ratio) >= 2 && num(g.low_outlier_ratio) === 0.4,
      ),
    ).toBe(true);
    const rates = load('P320900/insurance/drg_base_rates_2025.csv').rows;
    expect(rates.map((r) => `${r.insutype}/${r.hospital_level}`).sort()).toEqual([
      '310/1',
      '310/2',
      '310/3',
      '390/1',
      '390/2',
      '390/3',
    ]);
    const reference = load('P320900/insurance/regional_reference_2024.csv').rows;
    expect(new Set(reference.map((r) => r.hospital_level))).toEqual(new Set(['1', '2', '3']));
    expect(load('P320925/insurance/dip_catalogue_2025.csv').rows.length).toBeGreaterThan(50);
    const [budget] = load('P320925/insurance/dip_budget_2024.csv').rows;
    expect(near(num(budget?.budget), num(budget?.total_points) * num(budget?.point_value), 1)).toBe(true);
    const dip = files(GBK, 'insurance', 'settlements_').flatMap((f) => load(f).rows);
    expect(dip.every((r) => r.payment_method === 'DIP' && r.drg_code === '')).toBe(true);
    expect(dip.filter((r) => r.dip_code).length).toBeGreaterThan(0.9 * dip.length);
    const statuses = new Set(
      HOSPITALS.flatMap((h) =>
        files(h, 'insurance', 'settlements_').flatMap((f) => load(f).rows.map((r) => r.setl_status)),
      ),
    );
    expect([...statuses].sort()).toEqual(['已清算', '待审核', '部分拒付'].sort());
  });

  it('prices every stay by the published RW, 费率, 分值 and 点值; what is published follows the cost', () => {
    expect(paymentPolicyProblems(dir, { minStays: 30, tolerance: 0.1 })).toEqual([]);
  });
});
