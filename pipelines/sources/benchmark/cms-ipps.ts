import { publishedTable } from './published-table.ts';

// US Medicare (CMS, publisher P840000): public-domain inpatient tables, delivered to
// `<inbox>/P840000/benchmark/` under the names CMS publishes them with.

/**
 * Medicare IPPS provider summary for the top 100 MS-DRGs (FY2011): per provider and MS-DRG, the
 * discharges, average covered charges, average total payments and average Medicare payments,
 * with the provider's state and hospital referral region. `Code` holds `039 - `: the DRG is its
 * three digits.
 */
export const cmsIppsProviderSummary = publishedTable({
  kind: 'provider_groups',
  entity: 'cms_ipps_provider_summary',
  description: 'CMS 发布：Medicare IPPS 医院 × MS-DRG 出院例数、平均费用与支付（按财年）',
  filePattern: /^ipps_top100_drg_fy(?<period>\d{4})\.csv$/,
  groupCodePattern: '^\\s*(\\d{3})\\M',
  columns: {
    group_label: 'Code',
    group_name: 'Definition',
    provider_code: 'Provider.Id',
    provider_name: 'Provider.Name',
    region: 'Provider.State',
    referral_region: 'Hospital.Referral.Region.Description',
    cases: 'Total.Discharges',
    mean_charge: 'Average.Covered.Charges',
    mean_total_payment: 'Average.Total.Payments',
    mean_fund_payment: 'Average.Medicare.Payments',
  },
});

/** MS-DRG relative weights (Table 5 of the IPPS final rule): tab-separated, one title line. */
export const cmsMsDrgWeights = publishedTable({
  kind: 'group_weights',
  entity: 'cms_msdrg_weights',
  description: 'CMS 发布：MS-DRG 相对权重与平均住院日（IPPS 终版规则表 5，按财年）',
  filePattern: /^msdrg_weights_fy(?<period>\d{4})\.tsv$/,
  delimiter: '\t',
  titleLines: 1,
  groupCodePattern: '^\\s*(\\d{3})\\s*$',
  columns: {
    group_label: 'MS-DRG',
    group_name: 'MS-DRG Title',
    weight: 'Weights',
    mean_los_geometric: 'Geometric mean LOS',
    mean_los_arithmetic: 'Arithmetic mean LOS',
  },
});
