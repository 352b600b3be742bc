import { DRG_GROUPS } from './catalog/drg-groups.ts';
import { csvRow, formatCents } from './csv-format.ts';
import { CsvSink, type WrittenFile } from './csv-sink.ts';
import { DefectLog } from './defect-log.ts';
import { PUBLISHER_SCHEMAS, type PublisherEntity } from './file-schemas.ts';
import { caseCosts } from './ground-truth.ts';
import type { HospitalRun } from './hospital-run.ts';
import { PAYERS, type HospitalLevel } from './hospitals.ts';
import {
  DIP_CATALOGUE,
  DIP_LEVEL_COEF,
  DRG_LEVEL_COEF,
  LOW_OUTLIER_RATIO,
  SINGLE_REVIEW,
  finalPointValue,
  highOutlierRatio,
  type PaymentPolicy,
} from './payment-policy.ts';
import { hashString } from './prng.ts';

/** Region-wide cases per alliance case in the regional reference (the region has more hospitals). */
const REGION_FACTOR = 3;
/** The county's DIP points per point of its alliance members. */
const COUNTY_FACTOR = 2.6;

/**
 * Writes what the payers publish, as files of their own publisher folders: the city 医保局
 * (`P320900/insurance/`) its DRG group table, base rates and regional reference per year; the
 * DIP county (`P320925/insurance/`) its 病种 catalogue and budget. The reference and the budget
 * are computed from the generated stays (the alliance's share of the region), so the
 * consumption indices have a basis that agrees with the data.
 */
export async function writePublisherFiles(
  outDir: string,
  runs: readonly HospitalRun[],
  years: readonly number[],
  policy: PaymentPolicy,
): Promise<WrittenFile[]> {
  const log = new DefectLog();
  const files: WrittenFile[] = [];
  const open = (publisher: string, entity: PublisherEntity, year: number): Promise<CsvSink> =>
    CsvSink.open(
      outDir,
      `${publisher}/${entity}_${year}.csv`,
      'utf8',
      PUBLISHER_SCHEMAS[entity].map(([en]) => en),
      log,
    );
  const city = PAYERS.city.publisher;
  const county = PAYERS.jianhu;
  const costOf = caseCosts(runs);
  const cases = runs.flatMap((r) => r.cases);
  for (const year of years) {
    const groups = await open(city, 'insurance/drg_groups', year);
    for (const g of DRG_GROUPS) {
      const rw = policy.rw(g, year);
      groups.write(
        csvRow([
          String(year),
          g.code,
          g.name,
          rw.toFixed(4),
          (rw * 100).toFixed(2),
          String(LOW_OUTLIER_RATIO),
          String(highOutlierRatio(rw)),
          SINGLE_REVIEW.has(g.code) ? '是' : '否',
        ]),
      );
    }
    files.push(await groups.close());

    const rates = await open(city, 'insurance/drg_base_rates', year);
    for (const ins of ['310', '390'] as const)
      for (const level of [3, 2, 1] as const) {
        const base = policy.baseRate(year, ins);
        rates.write(
          csvRow([
            String(year),
            ins,
            String(level),
            base.toFixed(2),
            DRG_LEVEL_COEF[level].toFixed(2),
            (base / 100).toFixed(4),
          ]),
        );
      }
    files.push(await rates.close());

    const cells = new Map<string, { n: number; charge: number; cost: number; los: number; deaths: number }>();
    for (const c of cases) {
      if (c.year !== year) continue;
      const key = `${c.coded.drg.code}|${c.hospital.level}`;
      const e = cells.get(key) ?? { n: 0, charge: 0, cost: 0, los: 0, deaths: 0 };
      e.n++;
      e.charge += c.cleanTotal;
      e.cost += costOf(c);
      e.los += c.los;
      // The region's mortality is its hospitals' ordinary course: a planted low-risk death is one
      // member's anomaly, which among the region's many stays of a low-risk group is lost (counting
      // it here would make a small demo's group of two cataract stays 50 % mortal, and not low risk).
      if (c.died && !c.scenarios.includes('low_risk_death')) e.deaths++;
      cells.set(key, e);
    }
    const reference = await open(city, 'insurance/regional_reference', year);
    for (const g of DRG_GROUPS)
      for (const level of [3, 2, 1] as HospitalLevel[]) {
        const e = cells.get(`${g.code}|${level}`);
        if (!e) continue;
        // The other hospitals of the region differ a little from the alliance.
        const f = 1 + ((hashString(`ref/${year}/${g.code}/${level}`) % 81) - 40) / 1000;
        reference.write(
          csvRow([
            String(year),
            g.code,
            g.name,
            String(level),
            String(e.n * REGION_FACTOR),
            formatCents(Math.round((e.charge / e.n) * f)),
            level === 1 ? '' : formatCents(Math.round((e.cost / e.n) * f)),
            ((e.los / e.n) * f).toFixed(2),
            (e.deaths / e.n).toFixed(4),
          ]),
        );
      }
    files.push(await reference.close());

    const catalogue = await open(county.publisher, 'insurance/dip_catalogue', year);
    for (const d of DIP_CATALOGUE)
      catalogue.write(
        csvRow([String(year), d.code, d.name, d.diag, d.oprn, policy.dipScore(d, year).toFixed(2)]),
      );
    files.push(await catalogue.close());

    // Total points: the year's insured DIP stays (分值 × level coefficient) and the rest of the
    // county; budget = total points × the final 点值, so 点值 = budget / total points.
    let points = 0;
    for (const c of cases)
      if (c.year === year && c.coded.method === 'DIP' && c.coded.dip && c.insurance !== '999')
        points += c.coded.dipScore * DIP_LEVEL_COEF[c.hospital.level];
    const total = Math.round(points * COUNTY_FACTOR * 100) / 100;
    const provisional = policy.pointValue(year);
    const final = finalPointValue(provisional, year);
    const budget = await open(county.publisher, 'insurance/dip_budget', year);
    budget.write(
      csvRow([
        String(year),
        county.region,
        formatCents(Math.round(total * final * 100)),
        total.toFixed(2),
        final.toFixed(2),
        year < (years.at(-1) ?? year) ? '已清算' : '预算执行中',
        provisional.toFixed(2),
      ]),
    );
    files.push(await budget.close());
  }
  return files;
}
