import type pg from 'pg';

/** How a column's values are shown and totalled. */
export type ReportValueKind = 'text' | 'money' | 'count' | 'number' | 'share' | 'unit';

export interface ReportColumn {
  readonly key: string;
  readonly header: string;
  /** The upper header a column sits under (a merged cell over the columns of one group). */
  readonly group?: string;
  readonly kind: ReportValueKind;
  /**
   * The 合计 row: `sum` (money and counts, added in cents), a ratio of two totals (`[numerator,
   * denominator]` keys, e.g. 诊次成本 = Σ cost / Σ visits), or nothing.
   */
  readonly total?: 'sum' | readonly [string, string];
}

/** One standard report table of 公立医院成本核算规范, as a finance department submits it. */
export interface ReportTable {
  readonly sheet: string;
  readonly title: string;
  readonly columns: readonly ReportColumn[];
  readonly rows: readonly Readonly<Record<string, string | number | null>>[];
  readonly totals: Readonly<Record<string, number | null>>;
}

export interface CostReport {
  readonly year: number;
  /** The hospital the report is for; undefined for every hospital of the alliance. */
  readonly hospitalCode?: string;
  readonly unitName: string;
  readonly tables: readonly ReportTable[];
}

interface CostItem {
  readonly code: string;
  readonly name: string;
}

export const text = (key: string, header: string): ReportColumn => ({ key, header, kind: 'text' });
export const money = (key: string, header: string, group?: string): ReportColumn => ({
  key,
  header,
  kind: 'money',
  total: 'sum',
  ...(group ? { group } : {}),
});
export const count = (key: string, header: string): ReportColumn => ({
  key,
  header,
  kind: 'count',
  total: 'sum',
});
const ratio = (
  key: string,
  header: string,
  kind: ReportValueKind,
  of: readonly [string, string],
  group?: string,
): ReportColumn => ({ key, header, kind, total: of, ...(group ? { group } : {}) });

const components = [
  ['labour_cost', '人员经费'],
  ['drug_cost', '药品费'],
  ['material_cost', '卫生材料费'],
  ['depreciation_cost', '折旧与摊销'],
  ['other_cost', '其他费用'],
] as const;

/**
 * The standard cost report tables of one year (domain.md §1), for one hospital or all of them,
 * read from the published cost marts: 各科室直接成本表, 临床服务类科室全成本表, 全成本构成分析表,
 * 诊次/床日成本构成表, 医疗服务项目成本汇总/明细表, 病种成本明细/构成表, DRG成本明细/构成表. Cost items
 * and their names come from the cost_items seed. Totals are computed from the rows, in cents.
 */
export async function loadCostReport(
  pool: pg.Pool,
  options: { readonly year: number; readonly hospitalCode?: string },
): Promise<CostReport> {
  const { year } = options;
  const hospital = options.hospitalCode ?? null;
  const items: CostItem[] = (
    await pool.query<{ code: string; name: string }>(
      `select cost_item_code as code, cost_item_name as name from ref.cost_items order by cost_item_code`,
    )
  ).rows;
  const unitName = hospital
    ? ((
        await pool.query<{ hospital_name: string }>(
          `select hospital_name from marts.dim_hospitals where hospital_code = $1`,
          [hospital],
        )
      ).rows[0]?.hospital_name ?? hospital)
    : '医联体全部成员医院';
  const scope = `($2::text is null or hospital_code = $2)`;
  const inYear = (column: string) => `extract(year from ${column}) = $1`;
  const byHospital = hospital ? [] : [text('hospital_name', '医院')];
  const groupHospital = hospital ? '' : 'hospital_name, ';
  const query = async (statement: string) =>
    (await pool.query<Record<string, string | number | null>>(statement, [year, hospital])).rows;
  const pivot = (expression: (item: CostItem) => string) =>
    items.map((i) => `${expression(i)} as c${i.code}`).join(',\n');

  const tables: ReportTable[] = [];
  const add = (sheet: string, columns: ReportColumn[], rows: Record<string, string | number | null>[]) =>
    tables.push({ sheet, title: sheet, columns, rows, totals: totalsOf(columns, rows) });

  // 各科室直接成本表
  add(
    '各科室直接成本表',
    [
      ...byHospital,
      text('dept_code', '科室编码'),
      text('dept_name', '科室名称'),
      text('cost_unit_class', '核算单元类别'),
      ...items.map((i) => money(`c${i.code}`, i.name)),
      money('total', '合计'),
    ],
    await query(`
      select ${groupHospital} f.dept_code, max(f.dept_name) as dept_name, f.cost_unit_class,
        ${pivot((i) => `sum(direct_cost) filter (where cost_item_code = '${i.code}')`)},
        sum(direct_cost) as total
      from (select d.*, h.hospital_name from marts.fct_department_direct_costs d
            join marts.dim_hospitals h using (hospital_code)) f
      where ${inYear('cost_month')} and ${scope}
      group by ${groupHospital} f.dept_code, f.cost_unit_class
      order by ${groupHospital} f.cost_unit_class, f.dept_code`),
  );

  const clinical = (select: string) =>
    query(`
      select ${groupHospital} f.dept_code, max(f.dept_name) as dept_name, ${select}
      from (select c.*, h.hospital_name from marts.fct_department_full_costs c
            join marts.dim_hospitals h using (hospital_code)) f
      where ${inYear('cost_month')} and ${scope} and f.cost_unit_class = '临床服务类'
      group by ${groupHospital} f.dept_code
      order by ${groupHospital} f.dept_code`);

  // 临床服务类科室全成本表: direct, indirect (levels 1–3) and full cost per item
  const layers = [
    ['direct_cost', '直接成本'],
    ['indirect_cost', '间接成本'],
    ['full_cost', '全成本'],
  ] as const;
  add(
    '临床服务类科室全成本表',
    [
      ...byHospital,
      text('dept_code', '科室编码'),
      text('dept_name', '科室名称'),
      ...[...items, { code: 'total', name: '合计' }].flatMap((i) =>
        layers.map(([key, name]) => money(`${key}_${i.code}`, name, i.name)),
      ),
    ],
    await clinical(
      [
        ...items.flatMap((i) =>
          layers.map(
            ([key]) => `sum(${key}) filter (where cost_item_code = '${i.code}') as ${key}_${i.code}`,
          ),
        ),
        ...layers.map(([key]) => `sum(${key}) as ${key}_total`),
      ].join(',\n'),
    ),
  );

  // 全成本构成分析表: full cost per item and its share of the department's full cost
  add(
    '全成本构成分析表',
    [
      ...byHospital,
      text('dept_code', '科室编码'),
      text('dept_name', '科室名称'),
      ...items.flatMap((i) => [
        money(`c${i.code}`, '金额', i.name),
        ratio(`s${i.code}`, '构成比', 'share', [`c${i.code}`, 'total'], i.name),
      ]),
      money('total', '金额', '合计'),
    ],
    await clinical(
      [
        pivot((i) => `sum(full_cost) filter (where cost_item_code = '${i.code}')`),
        ...items.map(
          (i) =>
            `sum(full_cost) filter (where cost_item_code = '${i.code}') / nullif(sum(full_cost), 0) as s${i.code}`,
        ),
        'sum(full_cost) as total',
      ].join(',\n'),
    ),
  );

  // 诊次成本构成表 and 床日成本构成表: cost per visit / occupied bed-day by item, from fct_unit_costs
  // (its composition columns are named per cost item; the names here follow the cost_items codes)
  const unitCostColumn: Readonly<Record<string, string>> = {
    '01': 'personnel',
    '02': 'material',
    '03': 'drug',
    '04': 'depreciation',
    '05': 'amortisation',
    '06': 'risk_fund',
    '07': 'other',
  };
  for (const [sheet, side, volume, volumeName, unitName] of [
    ['诊次成本构成表', 'outpatient', 'outpatient_visits', '门诊人次', '诊次成本'],
    ['床日成本构成表', 'inpatient', 'occupied_bed_days', '实际占用床日', '床日成本'],
  ] as const) {
    const perItem = items.filter((i) => unitCostColumn[i.code]);
    const rows = await query(`
      select ${groupHospital} dept_code, max(dept_name) as dept_name, sum(${volume}) as volume,
        sum(${side}_full_cost) as cost,
        ${perItem.map((i) => `sum(${side}_${unitCostColumn[i.code]}_cost) as c${i.code}`).join(', ')},
        ${perItem.map((i) => `sum(${side}_${unitCostColumn[i.code]}_cost) / nullif(sum(${volume}), 0) as u${i.code}`).join(', ')},
        sum(${side}_full_cost) / nullif(sum(${volume}), 0) as unit_total
      from marts.fct_unit_costs
      where ${inYear('cost_month')} and ${scope}
      group by ${groupHospital} dept_code
      order by ${groupHospital} dept_code`);
    add(
      sheet,
      [
        ...byHospital,
        text('dept_code', '科室编码'),
        text('dept_name', '科室名称'),
        count('volume', volumeName),
        money('cost', side === 'outpatient' ? '门诊全成本' : '住院全成本'),
        ...perItem.map((i) => ratio(`u${i.code}`, i.name, 'unit', [`c${i.code}`, 'volume'])),
        ratio('unit_total', unitName, 'unit', ['cost', 'volume']),
      ],
      rows,
    );
  }

  // 医疗服务项目成本汇总表 (per item) and 明细表 (per executing department and item, with composition)
  add(
    '医疗服务项目成本汇总表',
    [
      ...byHospital,
      text('item_code', '项目编码'),
      text('item_name', '项目名称'),
      text('insurance_item_code', '医保项目编码'),
      count('quantity', '执行数量'),
      money('revenue', '项目收入'),
      money('item_cost', '项目总成本'),
      ratio('unit_cost', '单位成本', 'unit', ['item_cost', 'quantity']),
      ratio('cost_revenue_ratio', '成本收入比', 'share', ['item_cost', 'revenue']),
    ],
    await query(`
      select ${groupHospital} item_code, max(item_name) as item_name, max(insurance_item_code) as insurance_item_code,
        sum(quantity) as quantity, sum(revenue) as revenue, sum(item_cost) as item_cost,
        sum(item_cost) / nullif(sum(quantity), 0) as unit_cost,
        sum(item_cost) / nullif(sum(revenue), 0) as cost_revenue_ratio
      from marts.fct_service_item_costs
      where cost_year = $1 and ${scope}
      group by ${groupHospital} item_code
      order by ${groupHospital} item_code`),
  );
  add(
    '医疗服务项目成本明细表',
    [
      ...byHospital,
      text('dept_name', '执行科室'),
      text('item_code', '项目编码'),
      text('item_name', '项目名称'),
      text('coefficient_basis', '分配系数'),
      count('quantity', '执行数量'),
      money('labour_cost', '人员经费'),
      money('material_cost', '卫生材料费'),
      money('depreciation_cost', '折旧与摊销'),
      money('other_cost', '其他费用'),
      money('item_cost', '项目总成本'),
      ratio('unit_cost', '单位成本', 'unit', ['item_cost', 'quantity']),
      money('item_cost_equivalent', '项目总成本（成本当量法）'),
      { key: 'unit_cost_equivalent', header: '单位成本（成本当量法）', kind: 'unit' },
    ],
    await query(`
      select ${groupHospital} dept_name, item_code, item_name, coefficient_basis, quantity, labour_cost, material_cost,
        depreciation_cost, other_cost, item_cost, unit_cost, item_cost_equivalent, unit_cost_equivalent
      from marts.fct_service_item_costs
      where cost_year = $1 and ${scope}
      order by ${groupHospital} dept_code, item_code`),
  );

  // 病种成本 and DRG成本: 明细表 (volume, cost, charges, margin) and 构成表 (components and shares)
  const composition = (of: string) =>
    components.flatMap(([key, name]) => [
      money(key, '金额', name),
      ratio(`${key}_share`, '构成比', 'share', [key, of], name),
    ]);
  const compositionSql = components
    .map(([key]) => `sum(${key}) as ${key}, sum(${key}) / nullif(sum(case_cost), 0) as ${key}_share`)
    .join(', ');
  for (const [kind, relation, code, name, codeName, nameName] of [
    ['病种', 'fct_disease_costs', 'diagnosis_code', 'diagnosis_name', '主要诊断编码', '主要诊断名称'],
    ['DRG', 'fct_drg_costs', 'drg_code', 'drg_name', 'DRG编码', 'DRG名称'],
  ] as const) {
    const drg = kind === 'DRG';
    const keys = [...byHospital, text(code, codeName), text(name, nameName), count('case_count', '病例数')];
    const from = `from marts.${relation} where ${inYear('discharge_month')} and ${scope}
      group by ${groupHospital} ${code} order by ${groupHospital} ${code}`;
    add(
      `${kind}成本明细表`,
      [
        ...keys,
        ...(drg ? [{ key: 'total_weight', header: '总权重', kind: 'number', total: 'sum' } as const] : []),
        money('case_cost', `${kind}成本`),
        ratio('avg_case_cost', '例均成本', 'unit', ['case_cost', 'case_count']),
        money('total_charges', '医疗总费用'),
        ratio('cost_charge_ratio', '成本费用比', 'share', ['case_cost', 'total_charges']),
        money('case_cost_ccr', `${kind}成本（成本收入比法）`),
        ...(drg
          ? [
              money('payment_standard', '支付标准合计'),
              money('margin', '结余/超支'),
              ratio('margin_rate', '结余率', 'share', ['margin', 'payment_standard']),
            ]
          : []),
      ],
      await query(`
        select ${groupHospital} ${code}, max(${name}) as ${name}, sum(case_count) as case_count,
          ${drg ? 'sum(total_weight) as total_weight, sum(payment_standard) as payment_standard, sum(margin) as margin, sum(margin) / nullif(sum(payment_standard), 0) as margin_rate,' : ''}
          sum(case_cost) as case_cost, sum(case_cost) / nullif(sum(case_count), 0) as avg_case_cost,
          sum(total_charges) as total_charges, sum(case_cost) / nullif(sum(total_charges), 0) as cost_charge_ratio,
          sum(case_cost_ccr) as case_cost_ccr
        ${from}`),
    );
    add(
      `${kind}成本构成表`,
      [...keys, ...composition('case_cost'), money('case_cost', '金额', '合计')],
      await query(`
        select ${groupHospital} ${code}, max(${name}) as ${name}, sum(case_count) as case_count, ${compositionSql},
          sum(case_cost) as case_cost
        ${from}`),
    );
  }
  return { year, ...(options.hospitalCode ? { hospitalCode: options.hospitalCode } : {}), unitName, tables };
}

/** The 合计 row: money and counts added in cents (exact), ratios from the totals they divide. */
/** The 合计 row of a table: each column's `total` (sums in cents, or a ratio of two sums). */
export function totalsOf(
  columns: readonly ReportColumn[],
  rows: readonly Readonly<Record<string, string | number | null>>[],
): Record<string, number | null> {
  const sums = new Map<string, number>();
  const sumOf = (key: string): number => {
    let cached = sums.get(key);
    if (cached === undefined) {
      cached = rows.reduce((s, r) => s + Math.round(Number(r[key] ?? 0) * 100), 0) / 100;
      sums.set(key, cached);
    }
    return cached;
  };
  const totals: Record<string, number | null> = {};
  for (const column of columns) {
    if (column.total === 'sum') totals[column.key] = sumOf(column.key);
    else if (Array.isArray(column.total)) {
      const [numerator, denominator] = column.total as readonly [string, string];
      const d = sumOf(denominator);
      totals[column.key] = d === 0 ? null : sumOf(numerator) / d;
    }
  }
  return totals;
}
