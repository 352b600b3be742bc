import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { FILE_SCHEMAS, type Entity } from '../../pipelines/demo/file-schemas.ts';
import { truth } from './demo-truth.ts';
import { ruleFor } from './ground-truth.ts';

export type Row = Record<string, string>;

/** DRG figures of one hospital and year, computed from the generated files alone. */
export interface DrgTruth {
  readonly hospital: string;
  readonly year: number;
  readonly cases: number;
  readonly excluded: number;
  readonly grouped: number;
  /** Σ RW of grouped cases, exact to 4 decimals (sum of 4-decimal weights). */
  readonly totalWeight: number;
  readonly groups: number;
  readonly highOutliers: number;
  readonly lowOutliers: number;
  readonly lowRiskDeaths: number;
  /** Σ (standard − charges) over cases with a standard, cents. */
  readonly marginCents: number;
  /** Σ fund paid, cents. */
  readonly fundCents: number;
  /** Stays with ICU time, Σ ICU and Σ ventilation hours (in hundredths of an hour). */
  readonly icuCases: number;
  readonly icuHundredths: number;
  readonly ventHundredths: number;
  /** Distinct attending doctors on the front pages. */
  readonly doctorGroups: number;
  /** Stays with a main procedure on the front page, and those of level 3 or 4. */
  readonly surgicalCases: number;
  readonly level34Cases: number;
}

/** One stay as the test classifies it (for the planted-scenario checks). */
export interface TruthCase {
  readonly hospital: string;
  readonly visitId: string;
  readonly year: number;
  readonly drg: string | undefined;
  readonly died: boolean;
  readonly outlier: 'high' | 'low' | 'normal' | undefined;
  readonly riskClass: number | undefined;
  /** Where the outlier thresholds came from, for the stays whose class is judged. */
  readonly thresholdSource: 'published' | 'policy_bands' | 'case_bands' | undefined;
  /** Discharge month (`YYYY-MM`), length of stay and 医疗费总额 as the case fact takes them (unknown
   * when no source of the stay survived cleansing). */
  readonly month: string;
  readonly losDays: number | undefined;
  readonly totalCents: number | undefined;
  /** The payer's standard (or the policy's where the payer returned none), cents. */
  readonly standardCents: number | undefined;
  /** Whether a settlement list (医保结算清单) of the stay was loaded. */
  readonly hasSettlement: boolean;
  /** Not excluded and with a DRG group (入组), and the group's RW in 1/10 000 (0 without a group). */
  readonly grouped: boolean;
  readonly rw4: number;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const cents = (v: string | undefined): number => Math.round(Number(v ?? 0) * 100);
const weight4 = (v: string | undefined): number => Math.round(Number(v ?? 0) * 10_000);

function decode(file: string): string {
  const bytes = readFileSync(file);
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gbk') : utf8.replace(/^\uFEFF/, '');
}

function readCsvText(text: string): Row[] {
  return parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true }) as Row[];
}

/** The hospitals of a generated demo, as its manifest lists them. */
export interface DemoManifest {
  readonly hospitals: readonly { code: string; level_code: string; payer: string }[];
}

/**
 * Reads a generated demo's delivered files as the warehouse keeps them: one hospital's entity
 * (its undated file and all its monthly files, in order, with English column names) without the rows a blocking
 * data-quality rule quarantines (named in `_ground_truth/defects.csv`, severities from
 * `dq_rules.csv`), a publisher's files, and the project's seeds.
 */
export function demoFileReader(
  dir: string,
  seedsDir: string,
): {
  manifest: DemoManifest;
  seed: (folder: string, name: string) => Row[];
  readEntity: (hospital: string, entity: Entity) => Row[];
  readPublisher: (publisher: string, name: string) => Row[];
} {
  const manifest = JSON.parse(
    readFileSync(path.join(dir, '_ground_truth', 'manifest.json'), 'utf8'),
  ) as DemoManifest;
  const seed = (folder: string, name: string) =>
    readCsvText(readFileSync(path.join(seedsDir, folder, `${name}.csv`), 'utf8'));
  const blocking = new Set(
    seed('reference', 'dq_rules')
      .filter((r) => r.severity === 'blocking')
      .map((r) => r.rule_id),
  );
  // The generator names its defects, the catalogue its rules (ground-truth.ts maps one to the other).
  const quarantined = new Set(
    truth(dir, 'defects.csv')
      .filter((d) => blocking.has(ruleFor[d.defect ?? ''] ?? d.defect ?? ''))
      .map((d) => `${d.file}:${d.line}`),
  );

  const zhToEn = (entity: Entity) =>
    new Map(FILE_SCHEMAS[entity].map(([en, zh]) => [zh as string, en as string]));
  const readEntity = (hospital: string, entity: Entity): Row[] => {
    const [system, name] = entity.split('/') as [string, string];
    const folder = path.join(dir, hospital, system);
    const names = zhToEn(entity);
    const out: Row[] = [];
    for (const file of readdirSync(folder)
      .filter(
        (f) =>
          f === `${name}.csv` ||
          (f.startsWith(`${name}_`) && /^\d/.test(f.slice(name.length + 1)) && f.endsWith('.csv')),
      )
      .sort()) {
      const rel = `${hospital}/${system}/${file}`;
      readCsvText(decode(path.join(folder, file))).forEach((raw, i) => {
        if (quarantined.has(`${rel}:${i + 2}`)) return;
        out.push(Object.fromEntries(Object.entries(raw).map(([k, v]) => [names.get(k) ?? k, v])));
      });
    }
    return out;
  };
  const readPublisher = (publisher: string, name: string): Row[] => {
    const folder = path.join(dir, publisher, 'insurance');
    let files: string[] = [];
    try {
      files = readdirSync(folder).filter((f) => f.startsWith(`${name}_`));
    } catch {
      return [];
    }
    return files.flatMap((f) => readCsvText(decode(path.join(folder, f))));
  };
  return { manifest, seed, readEntity, readPublisher };
}

/**
 * The DRG/DIP figures per hospital and year of a generated demo, from its delivered files and
 * ground truth, never from the warehouse: settlements (the payer's group, standard and fund
 * payment), the hospital's own grouping file, front pages, HIS stays, the payer's published tables
 * and regional reference, and the project's DRG seeds for thresholds; ICU and ventilation hours
 * (settlement list, else front page), attending doctors and main procedures with their level (front
 * page, else the seeded procedure dictionary). Rows a blocking data-quality
 * rule quarantines (named in `_ground_truth/defects.csv`, severities from `dq_rules.csv`) are left
 * out as the warehouse leaves them out.
 */
export function drgTruth(
  dir: string,
  seedsDir: string,
): {
  totals: DrgTruth[];
  cases: TruthCase[];
  /** The attending doctors' raw codes and names as the front pages deliver them (never in a mart). */
  doctors: { codes: string[]; names: string[] };
} {
  const { manifest, seed, readEntity, readPublisher } = demoFileReader(dir, seedsDir);

  const rules = seed('drg', 'drg_case_rules').find((r) => r.publisher_code === '*')!;
  const maxStay = Number(rules.max_length_of_stay_days);
  const minTotal = cents(rules.min_total_charges);
  const bands = seed('policy', 'drg_outlier_bands').filter((b) => b.publisher_code === '*');
  const riskClasses = seed('drg', 'drg_risk_classes').map((r) => ({
    cls: Number(r.risk_class),
    from: r.z_from === '' ? -Infinity : Number(r.z_from),
    below: r.z_below === '' ? Infinity : Number(r.z_below),
  }));
  const band = (w: number) =>
    bands.find((b) => w > Number(b.rw_above) && (b.rw_up_to === '' || w <= Number(b.rw_up_to)));

  const levelOf = new Map(manifest.hospitals.map((h) => [h.code, h.level_code]));
  const payerOf = new Map(manifest.hospitals.map((h) => [h.code, h.payer]));
  const settlements = new Map<string, Row>();
  const frontPages = new Map<string, Row>();
  const mainProcedures = new Map<string, Row>();
  const groupings = new Map<string, Row>();
  const hisStays = new Map<string, Row>();
  for (const h of manifest.hospitals) {
    for (const r of readEntity(h.code, 'insurance/settlements'))
      settlements.set(`${h.code}|${r.mdtrt_id}`, r);
    for (const r of readEntity(h.code, 'emr/front_pages')) frontPages.set(`${h.code}|${r.visit_id}`, r);
    for (const r of readEntity(h.code, 'emr/drg_groupings')) groupings.set(`${h.code}|${r.visit_id}`, r);
    for (const r of readEntity(h.code, 'his/inpatient_visits')) hisStays.set(`${h.code}|${r.visit_id}`, r);
    // The main procedure of a stay: main_flag 1, the lowest sequence number when several.
    for (const r of readEntity(h.code, 'emr/front_page_procedures')) {
      const key = `${h.code}|${r.visit_id}`;
      const seen = mainProcedures.get(key);
      if (r.main_flag === '1' && (!seen || Number(r.oprn_seq) < Number(seen.oprn_seq)))
        mainProcedures.set(key, r);
    }
  }
  // Procedure levels the front page leaves empty come from the seeded dictionary.
  const seededLevel = new Map(seed('reference', 'procedures').map((r) => [r.oprn_code, r.oprn_level]));

  // The payer's published tables: RW and outlier ratios per group, rates per level and insurance type.
  const published = new Map<string, Row>();
  const rates = new Map<string, Row>();
  const reference = new Map<string, Row[]>();
  for (const payer of new Set(payerOf.values())) {
    for (const g of readPublisher(payer, 'drg_groups')) published.set(`${payer}|${g.year}|${g.drg_code}`, g);
    for (const r of readPublisher(payer, 'drg_base_rates'))
      rates.set(`${payer}|${r.year}|${r.hospital_level}|${r.insutype}`, r);
    for (const r of readPublisher(payer, 'regional_reference')) {
      const key = `${payer}|${r.year}`;
      const list = reference.get(key);
      if (list) list.push(r);
      else reference.set(key, [r]);
    }
  }

  interface Classified extends TruthCase {
    readonly excluded: boolean;
    readonly fundCents: number;
    readonly payer: string;
    readonly icuHundredths: number;
    readonly ventHundredths: number;
    readonly doctor: string | undefined;
    readonly surgical: boolean;
    readonly level34: boolean;
  }
  const classified: Classified[] = truth(dir, 'cases.csv').map((c) => {
    const key = `${c.hospital_code}|${c.visit_id}`;
    const hospital = c.hospital_code ?? '';
    const payer = payerOf.get(hospital) ?? '';
    const level = levelOf.get(hospital) ?? '';
    const year = Number((c.discharge_date ?? '').slice(0, 4));
    const s = settlements.get(key);
    const fp = frontPages.get(key);
    const his = hisStays.get(key);
    const g = groupings.get(key);
    const drg = s?.payment_method === 'DRG' ? s.drg_code || undefined : g?.drg_code || undefined;
    const rw4 = drg === undefined ? 0 : weight4(s?.payment_method === 'DRG' ? s.drg_rw : g?.drg_rw);
    // Unknown when no source of the stay survived cleansing (only the hospital's grouping is left):
    // such a stay is neither excluded nor judged for outliers, and has no margin.
    const total = s?.medfee_sumamt ?? fp?.total_fee ?? his?.total_amount;
    const totalCents = total === undefined ? undefined : cents(total);
    const hisStay =
      his &&
      Math.max(
        1,
        (Date.parse(his.discharge_time!.slice(0, 10)) - Date.parse(his.admit_time!.slice(0, 10))) /
          86_400_000,
      );
    const los = s?.act_ipt_days ?? fp?.act_ipt_days ?? hisStay;
    const excluded =
      (los !== undefined && Number(los) > maxStay) || (totalCents !== undefined && totalCents < minTotal);
    const grouped = !excluded && drg !== undefined;
    let standardCents: number | undefined =
      s && cents(s.payment_standard) > 0 ? cents(s.payment_standard) : undefined;
    if (standardCents === undefined && drg !== undefined) {
      const insurance = c.insurance_type === '999' ? rules.self_pay_insurance_type : c.insurance_type;
      const pub = published.get(`${payer}|${year}|${drg}`);
      const rate = rates.get(`${payer}|${year}|${level}|${insurance}`);
      if (pub && rate)
        standardCents = Math.round(Number(pub.rw) * Number(rate.base_rate) * Number(rate.level_coef) * 100);
    }
    let outlier: Classified['outlier'];
    let thresholdSource: Classified['thresholdSource'];
    if (
      !excluded &&
      standardCents !== undefined &&
      totalCents !== undefined &&
      (s?.payment_method === 'DIP' || grouped)
    ) {
      const pub = s?.payment_method === 'DIP' ? undefined : published.get(`${payer}|${year}|${drg}`);
      const w =
        s?.payment_method === 'DIP' ? Number(s.dip_score) / Number(rules.dip_score_per_weight) : rw4 / 10_000;
      const low = Number(pub?.low_outlier_ratio ?? band(w)?.low_outlier_ratio);
      const high = Number(pub?.high_outlier_ratio ?? band(w)?.high_outlier_ratio);
      outlier =
        totalCents > high * standardCents ? 'high' : totalCents < low * standardCents ? 'low' : 'normal';
      // The payer's own ratios; else the seed's band for the group's published RW; else this stay's.
      thresholdSource = pub?.high_outlier_ratio ? 'published' : pub ? 'policy_bands' : 'case_bands';
    }
    // ICU and ventilation: both from the settlement list when it carries either, else the front page.
    const clinical = s?.icu_hours || s?.vent_hours ? s : fp;
    const hundredths = (v: string | undefined): number => Math.round(Number(v || 0) * 100);
    const main = mainProcedures.get(key);
    const oprnLevel = main && (main.oprn_level || seededLevel.get(main.oprn_code ?? ''));
    return {
      icuHundredths: hundredths(clinical?.icu_hours),
      ventHundredths: hundredths(clinical?.vent_hours),
      doctor: fp?.attending_doctor_code || undefined,
      surgical: main !== undefined,
      level34: oprnLevel === '3' || oprnLevel === '4',
      hospital,
      visitId: c.visit_id ?? '',
      year,
      drg,
      died: c.died === '1',
      outlier,
      thresholdSource,
      riskClass: undefined,
      excluded,
      grouped,
      rw4,
      standardCents,
      totalCents,
      month: (c.discharge_date ?? '').slice(0, 7),
      losDays: los === undefined ? undefined : Number(los),
      hasSettlement: s !== undefined,
      fundCents: s ? cents(s.fund_pay_sumamt) : 0,
      payer,
    };
  });

  // Risk classes: group mortality over the payer's regional reference for the year, else over the
  // alliance's own grouped stays under that payer; z of ln m over groups with deaths.
  const riskOf = new Map<string, number>();
  for (const [payerYear, stays] of groupBy(classified, (c) => `${c.payer}|${c.year}`)) {
    const perGroup = new Map<string, { n: number; d: number }>();
    const ref = reference.get(payerYear);
    if (ref)
      for (const r of ref) {
        const e = perGroup.get(r.drg_code!) ?? { n: 0, d: 0 };
        e.n += Number(r.cases);
        e.d += Number(r.cases) * Number(r.mortality_rate || 0);
        perGroup.set(r.drg_code!, e);
      }
    else
      for (const c of stays.filter((x) => x.drg !== undefined)) {
        const e = perGroup.get(c.drg!) ?? { n: 0, d: 0 };
        e.n += 1;
        e.d += c.died ? 1 : 0;
        perGroup.set(c.drg!, e);
      }
    const logs = [...perGroup.values()].filter((e) => e.d > 0).map((e) => Math.log(e.d / e.n));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    for (const [drg, e] of perGroup) {
      const z =
        e.d > 0
          ? sd > 0
            ? Math.round(((Math.log(e.d / e.n) - mean) / sd) * 10_000) / 10_000
            : 0
          : undefined;
      const cls =
        z === undefined
          ? riskClasses.find((r) => r.from === -Infinity)
          : riskClasses.find((r) => z >= r.from && z < r.below);
      if (cls) riskOf.set(`${payerYear}|${drg}`, cls.cls);
    }
  }
  const cases = classified.map((c) => ({ ...c, riskClass: riskOf.get(`${c.payer}|${c.year}|${c.drg}`) }));

  const totals: DrgTruth[] = [];
  for (const [key, stays] of groupBy(cases, (c) => `${c.hospital}|${c.year}`)) {
    const [hospital, year] = key.split('|') as [string, string];
    const grouped = stays.filter((c) => c.grouped);
    totals.push({
      hospital,
      year: Number(year),
      cases: stays.length,
      excluded: stays.filter((c) => c.excluded).length,
      grouped: grouped.length,
      totalWeight: grouped.reduce((a, c) => a + c.rw4, 0) / 10_000,
      groups: new Set(grouped.map((c) => c.drg)).size,
      highOutliers: stays.filter((c) => c.outlier === 'high').length,
      lowOutliers: stays.filter((c) => c.outlier === 'low').length,
      lowRiskDeaths: grouped.filter((c) => c.died && c.riskClass === 1).length,
      marginCents: stays.reduce(
        (a, c) =>
          a +
          (c.standardCents === undefined || c.totalCents === undefined ? 0 : c.standardCents - c.totalCents),
        0,
      ),
      fundCents: stays.reduce((a, c) => a + c.fundCents, 0),
      icuCases: stays.filter((c) => c.icuHundredths > 0).length,
      icuHundredths: stays.reduce((a, c) => a + c.icuHundredths, 0),
      ventHundredths: stays.reduce((a, c) => a + c.ventHundredths, 0),
      doctorGroups: new Set(stays.map((c) => c.doctor).filter((d) => d !== undefined)).size,
      surgicalCases: stays.filter((c) => c.surgical).length,
      level34Cases: stays.filter((c) => c.level34).length,
    });
  }
  const fronts = [...frontPages.values()];
  const distinct = (field: string) =>
    [...new Set(fronts.map((r) => r[field]).filter((v) => !!v))] as string[];
  return {
    totals,
    cases,
    doctors: { codes: distinct('attending_doctor_code'), names: distinct('attending_doctor_name') },
  };
}

/**
 * Copies what the DRG marts read of a generated demo (EMR, insurance, HIS stays and dictionaries,
 * the payers' files) into an inbox, leaving out charge lines, outpatient visits, ERP and LIS: the
 * full demo's DRG checks and benchmark then load minutes of data, not the whole alliance.
 */
export async function copyDrgInputs(generatedDir: string, inbox: string): Promise<void> {
  const { cp } = await import('node:fs/promises');
  const skipped = /(^|\/)(erp|lab)(\/|$)|\/his\/(charge_lines|outpatient_visits)_/;
  await cp(generatedDir, inbox, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(generatedDir, src).split(path.sep).join('/');
      return !rel.startsWith('_ground_truth') && !skipped.test(`/${rel}`);
    },
  });
}
