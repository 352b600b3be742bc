/**
 * What the external benchmark marts share: the measures a published table may carry, the pool
 * levels, and the columns naming the table, period, group and pool. Not a model: files starting
 * with `_` are not loaded as models.
 */
import { sql } from 'kysely';

/** Measures of stg_benchmark__provider_groups (column = measure code) and their titles. */
export const MEASURES = {
  mean_charge: '次均费用',
  mean_cost: '次均成本',
  mean_length_of_stay: '平均住院日',
  mean_total_payment: '次均支付总额',
  mean_fund_payment: '次均基金支付',
  mortality_rate: '病死率',
} as const;

export type Measure = keyof typeof MEASURES;

/**
 * Unit-test fixture of stg_benchmark__provider_groups: providers H0, H1 … of table `t`, 2011,
 * group 039, region AL (no referral region), each with its charge and cases; the other measures
 * null and typed (a column of nulls would otherwise be text).
 */
export function chargeFixture(
  providers: readonly { readonly charge: number | null; readonly cases: number }[],
) {
  return {
    types: Object.fromEntries(Object.keys(MEASURES).map((m) => [m, 'numeric'])),
    rows: providers.map(({ charge, cases }, i) => ({
      published_table: 't',
      publisher_code: 'P1',
      period: '2011',
      group_code: '039',
      group_name: 'G',
      provider_code: `H${i}`,
      provider_name: `N${i}`,
      region: 'AL',
      referral_region: null,
      cases,
      ...Object.fromEntries(Object.keys(MEASURES).map((m) => [m, null])),
      mean_charge: charge,
    })),
  };
}
export const measureCodes = Object.keys(MEASURES) as Measure[];

/** Pool levels (column of stg_benchmark__provider_groups = level code) and their titles. */
export const POOL_LEVELS = { region: '地区', referral_region: '就医区域' } as const;
export type PoolLevel = keyof typeof POOL_LEVELS;
export const poolLevelCodes = Object.keys(POOL_LEVELS) as PoolLevel[];

/** `(values ('mean_charge', p.mean_charge), …)`: the measures of a provider row `p`, one row each. */
export const measureValues = sql`(values ${sql.join(measureCodes.map((m) => sql`(${sql.lit(m)}, p.${sql.ref(m)})`))})`;

/** `(values ('region', p.region), …)`: the pools of a provider row `p`, one row each. */
export const poolValues = sql`(values ${sql.join(poolLevelCodes.map((l) => sql`(${sql.lit(l)}, p.${sql.ref(l)})`))})`;

export const externalTableColumns = {
  published_table: {
    title: '发布表',
    description: '外部对标表（声明名，如 cms_ipps_provider_summary）。',
    tests: ['not_null' as const],
  },
  publisher_code: { title: '发布方', description: '发布方编码（如 P840000 美国 CMS）。' },
  period: { title: '期间', description: '发布表的期间（年度）。' },
  group_code: { title: '病组编码', description: '病组编码（CMS：MS-DRG）。', tests: ['not_null' as const] },
  group_name: { title: '病组名称', description: '病组名称（发布表所载）。' },
};

export const measureDescription = `指标：${Object.entries(MEASURES)
  .map(([code, title]) => `${code} ${title}`)
  .join('，')}；只有发布表载有的指标。`;
