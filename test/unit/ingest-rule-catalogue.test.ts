import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { projectPaths } from '../../core/paths.ts';
import { parseRules } from '../../pipelines/ingest/row-encoder.ts';
import { allSources } from '../../pipelines/sources/index.ts';

const catalogue = parse(readFileSync(path.join(projectPaths.seeds, 'reference', 'dq_rules.csv'), 'utf8'), {
  columns: true,
}) as Record<string, string>[];

describe('rule catalogue (seeds/reference/dq_rules.csv)', () => {
  it('configures every rule a source declares or the reader applies, with a valid severity and threshold', () => {
    const ids = new Set([...Object.keys(parseRules), ...allSources.flatMap((s) => s.rules.map((r) => r.id))]);
    expect([...ids].filter((id) => !catalogue.some((c) => c.rule_id === id))).toEqual([]);
    for (const rule of catalogue) {
      expect(['blocking', 'warning']).toContain(rule.severity);
      expect(Number(rule.batch_threshold)).toBeGreaterThanOrEqual(0);
      expect(Number(rule.batch_threshold)).toBeLessThanOrEqual(1);
    }
  });

  it('holds the unit-price tolerance of 20% as configuration', () => {
    expect(catalogue.find((c) => c.rule_id === 'unit_price_deviation')).toMatchObject({
      severity: 'warning',
      parameter: '0.2',
    });
  });

  it('declares every source of the architecture: HIS, EMR, insurance, ERP, LIS/PACS, the payers, published benchmarks', () => {
    expect(allSources.map((s) => `${s.system}.${s.entity}`).sort()).toEqual([
      'benchmark.cms_ipps_provider_summary',
      'benchmark.cms_msdrg_weights',
      'emr.drg_groupings',
      'emr.front_page_diagnoses',
      'emr.front_page_procedures',
      'emr.front_pages',
      'erp.allocation_drivers',
      'erp.cost_ledger',
      'erp.fixed_assets',
      'erp.floor_area',
      'erp.headcount',
      'erp.pay_scales',
      'erp.purchases',
      'erp.service_split',
      'his.charge_items',
      'his.charge_lines',
      'his.departments',
      'his.inpatient_census',
      'his.inpatient_census_diagnoses',
      'his.inpatient_census_procedures',
      'his.inpatient_visits',
      'his.outpatient_visits',
      'insurance.dip_budget',
      'insurance.dip_catalogue',
      'insurance.drg_base_rates',
      'insurance.drg_groups',
      'insurance.fund_payments',
      'insurance.regional_reference',
      'insurance.settlement_charge_categories',
      'insurance.settlement_diagnoses',
      'insurance.settlement_procedures',
      'insurance.settlements',
      'lab.workload',
    ]);
    expect(
      allSources
        .filter((s) => s.deliveredBy === 'publisher')
        .map((s) => s.entity)
        .sort(),
    ).toEqual([
      'cms_ipps_provider_summary',
      'cms_msdrg_weights',
      'dip_budget',
      'dip_catalogue',
      'drg_base_rates',
      'drg_groups',
      'regional_reference',
    ]);
  });
});
