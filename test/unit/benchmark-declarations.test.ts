import { describe, expect, it } from 'vitest';
import { PUBLISHER_SCHEMAS } from '../../pipelines/demo/file-schemas.ts';
import { mapHeader } from '../../pipelines/ingest/row-encoder.ts';
import { cmsIppsProviderSummary, cmsMsDrgWeights } from '../../pipelines/sources/benchmark/cms-ipps.ts';
import { publishedTable } from '../../pipelines/sources/benchmark/published-table.ts';

/** The delivered columns a header maps to (derived columns are never looked for unless they name headers). */
const mapped = (source: ReturnType<typeof publishedTable>, header: readonly string[]) => {
  const { positions, notes } = mapHeader(source, header, 'test.csv');
  return {
    columns: source.columns.filter((_, i) => positions[i]! >= 0).map((c) => c.name),
    unknown: notes.filter((n) => n.startsWith('未声明的列')),
  };
};

describe('published benchmark tables, declared', () => {
  it('maps CMS’s headers as published, every field of the IPPS summary and the weights table', () => {
    const ipps = mapped(
      cmsIppsProviderSummary,
      'Code,Definition,Provider.Id,Provider.Name,Provider.Street.Address,Provider.City,Provider.State,Provider.Zip.Code,Hospital.Referral.Region.Description,Total.Discharges,Average.Covered.Charges,Average.Total.Payments,Average.Medicare.Payments'.split(
        ',',
      ),
    );
    expect(ipps.columns).toEqual([
      'group_label',
      'group_name',
      'provider_code',
      'provider_name',
      'region',
      'referral_region',
      'cases',
      'mean_charge',
      'mean_total_payment',
      'mean_fund_payment',
    ]);
    const weights = mapped(
      cmsMsDrgWeights,
      'MS-DRG \tFY 2013 Final Rule Post-Acute DRG\tFY 2013 Final Rule Special Pay DRG\tMDC\tTYPE\tMS-DRG Title\tWeights\tGeometric mean LOS\tArithmetic mean LOS'.split(
        '\t',
      ),
    );
    expect(weights.columns).toEqual([
      'group_label',
      'group_name',
      'weight',
      'mean_los_geometric',
      'mean_los_arithmetic',
    ]);
    expect(cmsIppsProviderSummary.table).toBe('provider_groups');
    expect(cmsMsDrgWeights).toMatchObject({ table: 'group_weights', delimiter: '\t', titleLines: 1 });
  });

  it('expresses the demo’s regional reference (group × hospital level, no provider) by declaration alone', () => {
    const regional = publishedTable({
      kind: 'provider_groups',
      entity: 'regional_reference',
      description: '区域 DRG 病组参考值（按医院等级）',
      filePattern: /^regional_reference_(?<period>\d{4})\.csv$/,
      columns: {
        period: ['year', '年度'],
        group_label: ['drg_code', 'DRG编码'],
        group_name: ['drg_name', 'DRG名称'],
        hospital_level: ['hospital_level', '医院等级'],
        cases: ['cases', '例数'],
        mean_charge: ['mean_charge', '次均费用'],
        mean_cost: ['mean_cost', '次均成本'],
        mean_los: ['mean_los', '平均住院日'],
        mortality_rate: ['mortality_rate', '病死率'],
      },
    });
    const schema = PUBLISHER_SCHEMAS['insurance/regional_reference'];
    for (const header of [schema.map(([en]) => en), schema.map(([, zh]) => zh)]) {
      const { columns, unknown } = mapped(regional, header);
      expect(columns).toHaveLength(header.length);
      expect(unknown).toEqual([]);
    }
    // The period it carries is read (and the file name's period only fills blanks).
    expect(regional.uniqueKey).toEqual(['period', 'group_label', 'hospital_level']);
  });

  it('refuses a declaration naming a field its kind does not have, or leaving a required one unmapped', () => {
    const base = {
      kind: 'group_weights' as const,
      entity: 'x',
      description: 'x',
      filePattern: /^x\.csv$/,
    };
    expect(() =>
      publishedTable({ ...base, columns: { group_label: 'G', weight: 'W', charge: 'C' } as never }),
    ).toThrow(/group_weights has no field charge/);
    expect(() => publishedTable({ ...base, columns: { group_label: 'G' } })).toThrow(
      /delivered header of weight is not declared/,
    );
  });
});
