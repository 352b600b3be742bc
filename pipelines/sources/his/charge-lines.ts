import { sql } from 'kysely';
import { batchHospital, codeInDictionary, notInSet } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** Default share of the dictionary price by which a charged unit price may differ before it is flagged. */
export const UNIT_PRICE_TOLERANCE = 0.2;

/** The tolerance as configured in the rule catalogue (`ref.dq_rules.parameter`), else the default. */
const tolerance = sql`coalesce((select c.parameter from ref.dq_rules c where c.rule_id = 'unit_price_deviation'), ${sql.lit(UNIT_PRICE_TOLERANCE)})`;

/**
 * HIS charge lines (收费明细), inpatient and outpatient, one file per month: an inpatient visit's
 * lines are delivered with its discharge month, an outpatient visit's with its visit month. A stay
 * still in bed at a census cut-off (his.inpatient_census) has its lines charged so far delivered
 * with the cut-off's month; on discharge, its discharge month's file carries only the lines not
 * delivered before (a line is delivered once).
 */
export const chargeLines: SourceDefinition = {
  system: 'his',
  entity: 'charge_lines',
  description: 'HIS 收费明细',
  filePattern: /^charge_lines_(?<period>\d{4}-\d{2})\.csv$/,
  after: [
    'his.departments',
    'his.charge_items',
    'his.inpatient_visits',
    'his.inpatient_census',
    'his.outpatient_visits',
  ],
  key: 'line_id',
  uniqueKey: ['line_id'],
  columns: [
    { name: 'line_id', type: 'text', required: true, aliases: ['明细流水号'] },
    { name: 'visit_type', type: 'text', required: true, aliases: ['就诊类型'] },
    { name: 'visit_id', type: 'text', required: true, aliases: ['就诊号'] },
    { name: 'charge_time', type: 'timestamp', required: true, aliases: ['收费时间'] },
    { name: 'item_code', type: 'text', required: true, aliases: ['项目编码'] },
    { name: 'item_name', type: 'text', aliases: ['项目名称'] },
    { name: 'category_code', type: 'text', required: true, aliases: ['费用类别'] },
    { name: 'quantity', type: 'numeric', required: true, aliases: ['数量'] },
    { name: 'unit_price', type: 'numeric', required: true, aliases: ['单价'] },
    { name: 'amount', type: 'numeric', required: true, aliases: ['金额'] },
    { name: 'order_dept_code', type: 'text', required: true, aliases: ['开单科室'] },
    { name: 'exec_dept_code', type: 'text', aliases: ['执行科室'] },
  ],
  rules: [
    {
      id: 'invalid_visit_type',
      category: 'conformance.value',
      severity: 'blocking',
      description: '就诊类型不是 I（住院）或 O（门诊）',
      failsWhen: sql`r.visit_type not in ('I', 'O')`,
    },
    codeInDictionary({
      id: 'unknown_item_code',
      column: 'item_code',
      label: '收费项目编码',
      dictionary: 'raw_his.charge_items',
      dictionaryColumn: 'item_code',
    }),
    codeInDictionary({
      id: 'unknown_department_code',
      column: 'order_dept_code',
      label: '开单科室编码',
      dictionary: 'raw_his.departments',
      dictionaryColumn: 'dept_code',
    }),
    codeInDictionary({
      id: 'unknown_department_code',
      column: 'exec_dept_code',
      label: '执行科室编码',
      dictionary: 'raw_his.departments',
      dictionaryColumn: 'dept_code',
    }),
    {
      id: 'orphan_charge_line',
      category: 'conformance.relational',
      severity: 'blocking',
      description: '收费明细对应的就诊记录不存在 (visit_id not delivered)',
      // A visit held in quarantine still exists: its charges are not orphans; nor are those of a
      // stay still in bed (listed in a census snapshot, his.inpatient_census). Hashed NOT IN
      // lookups over the non-null sides (a null visit_id is, as with NOT EXISTS, never found), so
      // the rule shares the batch's single rule scan.
      failsWhen: sql`r.visit_type in ('I', 'O')
        and (r.visit_type <> 'I' or coalesce(${notInSet(
          sql`r.visit_id`,
          sql`select v.visit_id from raw_his.inpatient_visits v
              where v.hospital_code = ${batchHospital} and v.visit_id is not null`,
        )}, true) and coalesce(${notInSet(
          sql`r.visit_id`,
          sql`select c.visit_id from raw_his.inpatient_census c
              where c.hospital_code = ${batchHospital} and c.visit_id is not null`,
        )}, true))
        and (r.visit_type <> 'O' or coalesce(${notInSet(
          sql`r.visit_id`,
          sql`select v.visit_id from raw_his.outpatient_visits v
              where v.hospital_code = ${batchHospital} and v.visit_id is not null`,
        )}, true))
        and coalesce((r.visit_id, case r.visit_type when 'I' then 'his.inpatient_visits' else 'his.outpatient_visits' end)
              not in (select q.record_key, q.source from ops.quarantine q
                      where q.status = 'quarantined' and q.source in ('his.inpatient_visits', 'his.outpatient_visits')
                        and q.hospital_code = ${batchHospital} and q.record_key is not null), true)`,
      message: sql`'就诊号 ' || r.visit_id || ' 没有对应的就诊记录'`,
    },
    {
      id: 'amount_mismatch',
      category: 'conformance.computational',
      severity: 'blocking',
      description: '金额不等于数量×单价 (|amount − round(quantity × unit_price, 2)| > 0.01)',
      // The exact product settles most lines with one multiplication (then the difference is at
      // most the rounding, never over 0.01); only the others are rounded and compared.
      failsWhen: sql`r.amount <> r.quantity * r.unit_price and abs(r.amount - round(r.quantity * r.unit_price, 2)) > 0.01`,
      message: sql`'金额 ' || r.amount || ' ≠ 数量 ' || r.quantity || ' × 单价 ' || r.unit_price`,
    },
    {
      id: 'negative_charge',
      category: 'plausibility.atemporal',
      severity: 'warning',
      description: '负数量或负金额（冲红/退费行）',
      failsWhen: sql`r.quantity < 0 or r.amount < 0`,
      message: sql`'数量 ' || r.quantity || '，金额 ' || r.amount || '：冲红/退费行'`,
    },
    {
      id: 'unit_price_deviation',
      category: 'plausibility.atemporal',
      severity: 'warning',
      description: `单价偏离字典价格超过 ${UNIT_PRICE_TOLERANCE * 100}%`,
      // Most lines charge the dictionary price exactly: a hashed lookup of the (item, price) pair
      // settles those in the scan; only the others are joined to their item's price.
      failsWhen: sql`(r.item_code, r.unit_price) not in (
          select d.item_code, d.unit_price from raw_his.charge_items d
          where d.hospital_code = ${batchHospital} and d.item_code is not null and d.unit_price is not null)
        and exists (select 1 from raw_his.charge_items d
          where d.hospital_code = ${batchHospital} and d.item_code = r.item_code and d.unit_price > 0
            and abs(r.unit_price - d.unit_price) > ${tolerance} * d.unit_price)`,
      message: sql`'单价 ' || r.unit_price || ' 偏离字典价格 ' || (select min(d.unit_price) from raw_his.charge_items d
          where d.hospital_code = ${batchHospital} and d.item_code = r.item_code and d.unit_price > 0)
        || ' 超过 ' || round(${tolerance} * 100) || '%'`,
    },
  ],
};
