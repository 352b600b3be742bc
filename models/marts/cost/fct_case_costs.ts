import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

const amount = (title: string, description: string) => ({
  title,
  description,
  format: 'currency' as const,
  type: 'numeric(18, 2)',
  tests: ['not_null' as const],
});

export default defineModel({
  name: 'fct_case_costs',
  materialized: 'table',
  description: [
    '住院病例成本：每次出院一行。默认项目叠加法（case_cost）：Σ 明细数量 × 执行科室该项目当年单位成本（fct_service_item_costs）',
    '+ 药品与单独收费卫生材料按采购成本（数量 × 当月 ERP 采购单价 stg_erp__purchases；当月无采购记录时取收费单价，零差率下两者相同）。',
    '可选成本收入比法（case_cost_ccr）：Σ 明细金额 × 执行科室成本收入比，药品、单收材料明细另乘全院当年药品/材料的账面成本收入比',
    '（科室成本账药品费、可单独收费材料 ÷ 对应收入）。',
    '构成（labour/drug/material/depreciation/other 之和 = case_cost）：人员、材料、折旧摊销、其他按项目单位成本的构成拆分',
    '（科室成本按 case_cost_components 归类：01 人员经费；02 卫生材料；04 折旧 + 05 摊销；06 风险基金 + 07 其他运行费用；',
    '药剂科的调剂成本同样按其构成拆分）；drug_cost 为药品采购成本；material_cost 含单收材料采购成本与项目中的不收费材料。',
    '各构成先按病例四舍五入到分再相加。只含出院记录已入库的住院病例；其余明细（在院、出院记录被隔离）的成本在 fct_case_cost_reconciliation 列为未归集。' +
      '主要诊断（病种成本用）取 int_inpatient_cases__diagnosed：病案首页主诊断，首页缺失时取医保结算清单西医主诊断（diagnosis_source 说明来源）。',
  ].join(''),
  grain: 'One row per inpatient stay (hospital, visit id) with a discharge record.',
  primaryKey: ['hospital_code', 'visit_id'],
  // Every inpatient charge line meets two small lookups (item unit costs, purchase prices) and is
  // summed by stay. By default PostgreSQL sorted the 7 million lines to merge-join each lookup and
  // again to group them; hashing the lookups and the stays (with the memory to hold 156,727 stays)
  // took the full demo's select from 96 s to 49 s (no merge joins) and then to 12 s (no sorts,
  // 256 MB), EXPLAIN ANALYZE on the same machine. Joining the item costs and ratios by charge month
  // (below) and looking purchase prices up for drug and material lines only then took the select's
  // CPU time from 18.6 s to 15.0 s (without parallel workers). Its 154k rows are analysed from a
  // 3,000-row sample (target 10): 0.44 s → 0.03 s, and its readers (case fact, disease, DRG and
  // reconciliation marts) plan the same under both (EXPLAIN).
  plannerSettings: {
    enable_mergejoin: 'off',
    enable_sort: 'off',
    work_mem: '256MB',
    default_statistics_target: '10',
  },
  columns: {
    // ids
    case_cost_id: { title: '病例成本编号', description: '行标识：医院|住院号。', tests: ['unique'] },
    hospital_code: {
      title: '医院编码',
      description: '医联体成员医院的编码，行级权限按此字段限定成员单位。',
      tests: ['not_null'],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    visit_id: { title: '住院号', description: 'HIS 住院号（就诊号）。', tests: ['not_null'] },
    dept_code: { title: '出院科室编码', description: '出院科室（院内编码）。' },
    std_dept_code: { title: '标准科室编码', description: '出院科室映射的标准科室编码。' },
    dept_name: { title: '出院科室名称', description: '出院科室名称（院内）。' },
    principal_diagnosis_code: {
      title: '主要诊断编码',
      description: '主要诊断：病案首页主诊断，首页缺失时取医保结算清单西医主诊断；都没有为“未知”。',
    },
    principal_diagnosis_name: {
      title: '主要诊断名称',
      description: '主要诊断名称（统一字典，字典没有时取填报名称）。',
    },
    diagnosis_source: {
      title: '诊断来源',
      description: 'front_page 病案首页 / settlement 医保结算清单 / none 无主诊断。',
      tests: [{ accepted_values: ['front_page', 'settlement', 'none'] }],
    },
    // dates
    discharge_month: {
      title: '出院月份',
      description: '出院月份（当月第一天）。',
      type: 'date',
      tests: ['not_null'],
    },
    length_of_stay_days: { title: '住院天数', description: '出院日期 − 入院日期（同日出入院计 1 天）。' },
    // amounts
    case_cost: amount('病例成本', '项目叠加法病例成本（元）= 人员 + 药品 + 材料 + 折旧摊销 + 其他。'),
    case_cost_ccr: amount(
      '病例成本（成本收入比法）',
      'Σ 明细金额 × 执行科室成本收入比（药品、单收材料用全院账面成本收入比，元）。',
    ),
    service_cost: amount('医疗服务项目成本', 'Σ 数量 × 项目单位成本（元），不含药品与单收材料的采购成本。'),
    labour_cost: amount('人员经费', '病例成本中的人员经费（元）。'),
    drug_cost: amount('药品费', '药品按采购成本（元）。'),
    material_cost: amount('卫生材料费', '单收材料采购成本 + 项目中的不收费材料（元）。'),
    billed_material_cost: amount('单收材料费', '单独收费卫生材料按采购成本（元），material_cost 的一部分。'),
    depreciation_cost: amount('折旧与摊销', '病例成本中的固定资产折旧与无形资产摊销（元）。'),
    other_cost: amount('其他费用', '病例成本中的其他运行费用与医疗风险基金（元）。'),
    total_charges: amount('医疗总费用', '病例全部收费明细金额合计（元）。'),
    charge_line_count: { title: '明细条数', description: '病例的收费明细行数。', type: 'bigint' },
  },
  tests: [
    {
      name: 'composition_adds_up',
      expression: 'labour_cost + drug_cost + material_cost + depreciation_cost + other_cost = case_cost',
    },
  ],
  unitTests: [
    {
      // Hand-worked with the item unit costs of fct_service_item_costs' own example (CBC 2.50,
      // BED 42.86 per day, all labour except CBC: labour 1.50, material 0.75, depreciation 0.25).
      // Case V1 (外科 S, discharged 2025-03): CBC × 2 → 5.00 (labour 3.00, material 1.50,
      //   depreciation 0.50); BED × 3 → 128.58 labour; a drug × 10 bought at 1.20 (charged 1.20)
      //   → 12.00; a stent × 1 bought at 800 in March (charged 900) → 800.00.
      //   labour 131.58 + drug 12.00 + material 801.50 + depreciation 0.50 + other 0 = 945.58.
      //   CCR: CBC 2 × 20 = 40 × 0.10 = 4.00; BED 3 × 30 = 90 × 1000/700 = 128.571…;
      //   drug 12 × 0.8 = 9.60; stent 900 × 0.9 = 810.00 → 952.17.
      //   Charges 40 + 90 + 12 + 900 = 1042.00.
      name: 'adds item costs, drugs and materials at purchase cost',
      given: {
        stg_his__inpatient_visits: {
          rows: [
            {
              hospital_code: 'H',
              visit_id: 'V1',
              discharge_dept_code: 'S',
              discharged_at: '2025-03-20 10:00',
              length_of_stay_days: 3,
            },
          ],
          types: { discharged_at: 'timestamp' },
        },
        int_charge_lines__standardised: {
          rows: [
            {
              hospital_code: 'H',
              visit_type: 'inpatient',
              visit_id: 'V1',
              charge_month: '2025-03-01',
              exec_dept_code: 'L',
              item_code: 'CBC',
              is_drug: false,
              is_material: false,
              quantity: 2,
              unit_price: 20,
              amount: 40,
            },
            {
              hospital_code: 'H',
              visit_type: 'inpatient',
              visit_id: 'V1',
              charge_month: '2025-03-01',
              exec_dept_code: 'S',
              item_code: 'BED',
              is_drug: false,
              is_material: false,
              quantity: 3,
              unit_price: 30,
              amount: 90,
            },
            {
              hospital_code: 'H',
              visit_type: 'inpatient',
              visit_id: 'V1',
              charge_month: '2025-03-01',
              exec_dept_code: 'P',
              item_code: 'DRUG',
              is_drug: true,
              is_material: false,
              quantity: 10,
              unit_price: 1.2,
              amount: 12,
            },
            {
              hospital_code: 'H',
              visit_type: 'inpatient',
              visit_id: 'V1',
              charge_month: '2025-03-01',
              exec_dept_code: 'S',
              item_code: 'STENT',
              is_drug: false,
              is_material: true,
              quantity: 1,
              unit_price: 900,
              amount: 900,
            },
            {
              hospital_code: 'H',
              visit_type: 'outpatient',
              visit_id: 'O1',
              charge_month: '2025-03-01',
              exec_dept_code: 'L',
              item_code: 'CBC',
              is_drug: false,
              is_material: false,
              quantity: 1,
              unit_price: 20,
              amount: 20,
            },
          ],
          types: { charge_month: 'date' },
        },
        fct_service_item_costs: [
          {
            hospital_code: 'H',
            cost_year: 2025,
            dept_code: 'L',
            item_code: 'CBC',
            unit_cost: 2.5,
            unit_labour_cost: 1.5,
            unit_material_cost: 0.75,
            unit_depreciation_cost: 0.25,
            unit_other_cost: 0,
            cost_to_charge_ratio: 0.1,
          },
          {
            hospital_code: 'H',
            cost_year: 2025,
            dept_code: 'S',
            item_code: 'BED',
            unit_cost: 42.86,
            unit_labour_cost: 42.86,
            unit_material_cost: 0,
            unit_depreciation_cost: 0,
            unit_other_cost: 0,
            cost_to_charge_ratio: 1.428571428571,
          },
        ],
        stg_erp__purchases: {
          rows: [{ hospital_code: 'H', purchase_month: '2025-03-01', item_code: 'STENT', unit_price: 800 }],
          types: { purchase_month: 'date' },
        },
        int_department_costs__item_base: [
          { hospital_code: 'H', cost_year: 2025, billed_drug_cost: 80, billed_material_cost: 900 },
        ],
        int_service_items__performed: [
          { hospital_code: 'H', cost_year: 2025, is_drug: true, is_material: false, revenue: 100 },
          { hospital_code: 'H', cost_year: 2025, is_drug: false, is_material: true, revenue: 1000 },
        ],
        stg_his__departments: [
          { hospital_code: 'H', dept_code: 'S', dept_name: '外科', std_dept_code: 'A04' },
        ],
        dim_hospitals: [{ hospital_code: 'H', hospital_name: '甲医院' }],
        int_inpatient_cases__diagnosed: [
          {
            hospital_code: 'H',
            visit_id: 'V1',
            principal_diagnosis_code: 'K80.100',
            principal_diagnosis_name: '胆囊结石伴急性胆囊炎',
            diagnosis_source: 'front_page',
          },
        ],
      },
      expect: [
        {
          visit_id: 'V1',
          dept_code: 'S',
          principal_diagnosis_code: 'K80.100',
          principal_diagnosis_name: '胆囊结石伴急性胆囊炎',
          diagnosis_source: 'front_page',
          discharge_month: '2025-03-01',
          case_cost: 945.58,
          labour_cost: 131.58,
          drug_cost: 12,
          material_cost: 801.5,
          billed_material_cost: 800,
          depreciation_cost: 0.5,
          other_cost: 0,
          service_cost: 133.58,
          case_cost_ccr: 952.17,
          total_charges: 1042,
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with visits as (
      select * from ${ref('stg_his__inpatient_visits')}
    ),

    charge_lines as (
      select * from ${ref('int_charge_lines__standardised')}
      where visit_type = 'inpatient'
    ),

    item_costs as (
      select * from ${ref('fct_service_item_costs')}
    ),

    purchases as (
      select * from ${ref('stg_erp__purchases')}
    ),

    bases as (
      select * from ${ref('int_department_costs__item_base')}
    ),

    performed as (
      select * from ${ref('int_service_items__performed')}
    ),

    departments as (
      select * from ${ref('stg_his__departments')}
    ),

    hospitals as (
      select * from ${ref('dim_hospitals')}
    ),

    principal_diagnoses as (
      select * from ${ref('int_inpatient_cases__diagnosed')}
    ),

    -- the ledger's cost-to-charge ratio of what passes straight to cases (CCR method only)
    pass_through_ratios as (
      select
        c.hospital_code,
        c.cost_year,
        c.drug_cost / nullif(r.drug_revenue, 0) as drug_ratio,
        c.material_cost / nullif(r.material_revenue, 0) as material_ratio
      from (
        select hospital_code, cost_year, sum(billed_drug_cost) as drug_cost, sum(billed_material_cost) as material_cost
        from bases
        group by 1, 2
      ) c
      left join (
        select
          hospital_code,
          cost_year,
          sum(revenue) filter (where is_drug) as drug_revenue,
          sum(revenue) filter (where is_material) as material_revenue
        from performed
        group by 1, 2
      ) r on r.hospital_code = c.hospital_code and r.cost_year = c.cost_year
    ),

    -- a year's item unit costs and ratios hold in each of its months: the lines join them on their
    -- charge month as it is, not on a year extracted (as numeric) from each of 7 million lines
    -- (cost_year cast: unit tests' given rows type it numeric). The months are generated in each: a
    -- CTE read twice would be materialised, and a join with it cannot run in parallel workers.
    item_costs_by_month as (
      select i.*, make_date(i.cost_year::integer, m.month, 1) as cost_month
      from item_costs i
      cross join generate_series(1, 12) as m(month)
    ),

    pass_through_ratios_by_month as (
      select r.*, make_date(r.cost_year::integer, m.month, 1) as cost_month
      from pass_through_ratios r
      cross join generate_series(1, 12) as m(month)
    ),

    costed_lines as (
      select
        l.hospital_code,
        l.visit_id,
        l.amount,
        l.is_drug,
        l.is_material,
        -- null (summed as nothing) for a line without an item cost
        l.quantity * i.unit_labour_cost as labour,
        l.quantity * i.unit_material_cost as service_material,
        l.quantity * i.unit_depreciation_cost as depreciation,
        l.quantity * i.unit_other_cost as other,
        case when l.is_drug or l.is_material then l.quantity * coalesce(p.unit_price, l.unit_price) end as purchase_cost,
        l.amount * coalesce(i.cost_to_charge_ratio, 0)
          + case when l.is_drug then l.amount * coalesce(r.drug_ratio, 0)
                 when l.is_material then l.amount * coalesce(r.material_ratio, 0)
                 else 0 end as ccr_cost
      from charge_lines l
      left join item_costs_by_month i
        on i.hospital_code = l.hospital_code and i.cost_month = l.charge_month
        and i.dept_code = l.exec_dept_code and i.item_code = l.item_code
      -- purchase prices and pass-through ratios are for drugs and materials only: the other lines'
      -- key is null, so they skip the lookup
      left join purchases p
        on p.purchase_month = case when l.is_drug or l.is_material then l.charge_month end
        and p.hospital_code = l.hospital_code and p.item_code = l.item_code
      left join pass_through_ratios_by_month r
        on r.cost_month = case when l.is_drug or l.is_material then l.charge_month end
        and r.hospital_code = l.hospital_code
    ),

    by_case as (
      select
        hospital_code,
        visit_id,
        round(sum(labour), 2) as labour_cost,
        round(sum(purchase_cost) filter (where is_drug), 2) as drug_cost,
        round(sum(service_material), 2) as service_material_cost,
        round(sum(purchase_cost) filter (where is_material), 2) as billed_material_cost,
        round(sum(depreciation), 2) as depreciation_cost,
        round(sum(other), 2) as other_cost,
        round(sum(ccr_cost), 2) as case_cost_ccr,
        sum(amount) as total_charges,
        count(*) as charge_line_count
      from costed_lines
      group by 1, 2
    ),

    final as (
      select
        -- ids
        concat_ws('|', v.hospital_code, v.visit_id) as case_cost_id,
        v.hospital_code,
        h.hospital_name,
        v.visit_id,
        v.discharge_dept_code as dept_code,
        d.std_dept_code,
        d.dept_name,
        coalesce(p.principal_diagnosis_code, '未知') as principal_diagnosis_code,
        p.principal_diagnosis_name,
        coalesce(p.diagnosis_source, 'none') as diagnosis_source,
        -- dates
        date_trunc('month', v.discharged_at)::date as discharge_month,
        v.length_of_stay_days,
        -- amounts
        (coalesce(c.labour_cost, 0) + coalesce(c.drug_cost, 0) + coalesce(c.service_material_cost, 0)
          + coalesce(c.billed_material_cost, 0) + coalesce(c.depreciation_cost, 0) + coalesce(c.other_cost, 0))::numeric(18, 2)
          as case_cost,
        coalesce(c.case_cost_ccr, 0)::numeric(18, 2) as case_cost_ccr,
        (coalesce(c.labour_cost, 0) + coalesce(c.service_material_cost, 0) + coalesce(c.depreciation_cost, 0)
          + coalesce(c.other_cost, 0))::numeric(18, 2) as service_cost,
        coalesce(c.labour_cost, 0)::numeric(18, 2) as labour_cost,
        coalesce(c.drug_cost, 0)::numeric(18, 2) as drug_cost,
        (coalesce(c.service_material_cost, 0) + coalesce(c.billed_material_cost, 0))::numeric(18, 2) as material_cost,
        coalesce(c.billed_material_cost, 0)::numeric(18, 2) as billed_material_cost,
        coalesce(c.depreciation_cost, 0)::numeric(18, 2) as depreciation_cost,
        coalesce(c.other_cost, 0)::numeric(18, 2) as other_cost,
        coalesce(c.total_charges, 0)::numeric(18, 2) as total_charges,
        coalesce(c.charge_line_count, 0)::bigint as charge_line_count
      from visits v
      left join by_case c on c.hospital_code = v.hospital_code and c.visit_id = v.visit_id
      left join departments d on d.hospital_code = v.hospital_code and d.dept_code = v.discharge_dept_code
      left join hospitals h on h.hospital_code = v.hospital_code
      left join principal_diagnoses p on p.hospital_code = v.hospital_code and p.visit_id = v.visit_id
    )

    select * from final`,
});
