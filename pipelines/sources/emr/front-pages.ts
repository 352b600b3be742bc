import { sql } from 'kysely';
import type { ColumnSpec } from '../../../core/contract/columns.ts';
import { departmentCodes, dischargeBeforeAdmission, stayOver60Days } from '../../ingest/rule-kit.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/** Fee groups of the front page: [column, Chinese header, counted in the total (false: an "of which" sub-item)]. */
const feeGroups: readonly (readonly [string, string, boolean])[] = [
  ['fee_general_service', '一般医疗服务费', true],
  ['fee_general_treatment', '一般治疗操作费', true],
  ['fee_nursing', '护理费', true],
  ['fee_other_service', '综合医疗服务类其他费用', true],
  ['fee_pathology', '病理诊断费', true],
  ['fee_lab', '实验室诊断费', true],
  ['fee_imaging', '影像学诊断费', true],
  ['fee_clinical_diag', '临床诊断项目费', true],
  ['fee_non_surgical_treatment', '非手术治疗项目费', true],
  ['fee_clinical_physio', '临床物理治疗费', false],
  ['fee_surgical_treatment', '手术治疗费', true],
  ['fee_anesthesia', '麻醉费', false],
  ['fee_surgery', '手术费', false],
  ['fee_rehab', '康复费', true],
  ['fee_tcm', '中医治疗费', true],
  ['fee_western_drug', '西药费', true],
  ['fee_antibacterial', '抗菌药物费用', false],
  ['fee_chinese_patent_drug', '中成药费', true],
  ['fee_herbal', '中草药费', true],
  ['fee_blood', '血费', true],
  ['fee_albumin', '白蛋白类制品费', true],
  ['fee_globulin', '球蛋白类制品费', true],
  ['fee_coagulation_factor', '凝血因子类制品费', true],
  ['fee_cytokine', '细胞因子类制品费', true],
  ['fee_exam_material', '检查用一次性医用材料费', true],
  ['fee_treatment_material', '治疗用一次性医用材料费', true],
  ['fee_surgery_material', '手术用一次性医用材料费', true],
  ['fee_other', '其他费', true],
];

const feeSum = sql.join(
  feeGroups.filter(([, , counted]) => counted).map(([name]) => sql`coalesce(${sql.ref(`r.${name}`)}, 0)`),
  sql` + `,
);

/** EMR 病案首页 (inpatient front page), one row per stay, one file per discharge month. */
export const frontPages: SourceDefinition = {
  system: 'emr',
  entity: 'front_pages',
  description: 'EMR 病案首页（按出院月份）',
  filePattern: /^front_pages_(?<period>\d{4}-\d{2})\.csv$/,
  after: ['his.departments'],
  key: 'visit_id',
  uniqueKey: ['visit_id'],
  columns: [
    { name: 'medcasno', type: 'text', required: true, aliases: ['病案号'] },
    { name: 'visit_id', type: 'text', required: true, aliases: ['住院号'] },
    { name: 'patient_id', type: 'text', aliases: ['患者ID'] },
    { name: 'gender', type: 'text', aliases: ['性别'] },
    { name: 'birth_date', type: 'date', aliases: ['出生日期'] },
    { name: 'age', type: 'integer', aliases: ['年龄'] },
    { name: 'payment_method', type: 'text', aliases: ['医疗付费方式'] },
    { name: 'admission_route', type: 'text', aliases: ['入院途径'] },
    { name: 'admit_time', type: 'timestamp', required: true, aliases: ['入院时间'] },
    { name: 'admit_dept_code', type: 'text', aliases: ['入院科别'] },
    { name: 'transfer_dept_code', type: 'text', aliases: ['转科科别'] },
    { name: 'discharge_time', type: 'timestamp', required: true, aliases: ['出院时间'] },
    { name: 'discharge_dept_code', type: 'text', required: true, aliases: ['出院科别'] },
    { name: 'act_ipt_days', type: 'integer', aliases: ['实际住院天数'] },
    { name: 'discharge_way', type: 'text', aliases: ['离院方式'] },
    { name: 'total_fee', type: 'numeric', required: true, aliases: ['住院总费用'] },
    { name: 'self_pay_fee', type: 'numeric', aliases: ['自付金额'] },
    ...feeGroups.map(([name, alias]): ColumnSpec => ({ name, type: 'numeric', aliases: [alias] })),
    // Optional (deliveries before these columns still load): the 主治医师 and, as the HQMS 首页 has
    // them, ICU and ventilator hours (whole hours; the settlement list's figures take precedence).
    { name: 'attending_doctor_code', type: 'text', aliases: ['主治医师代码', '主治医师编码'] },
    { name: 'attending_doctor_name', type: 'text', aliases: ['主治医师', '主治医师姓名'] },
    { name: 'icu_hours', type: 'numeric', aliases: ['重症监护时长（小时）', '重症监护时长'] },
    { name: 'vent_hours', type: 'numeric', aliases: ['呼吸机使用时间（小时）', '呼吸机使用时间'] },
  ],
  rules: [
    dischargeBeforeAdmission,
    stayOver60Days,
    ...departmentCodes([
      { column: 'admit_dept_code', label: '入院科别' },
      { column: 'transfer_dept_code', label: '转科科别' },
      { column: 'discharge_dept_code', label: '出院科别' },
    ]),
    {
      id: 'fee_sum_mismatch',
      category: 'conformance.computational',
      severity: 'blocking',
      description: '病案首页各费用分组之和不等于住院总费用',
      failsWhen: sql`abs(${feeSum} - r.total_fee) > 0.01`,
      message: sql`'费用分组之和 ' || (${feeSum}) || ' ≠ 住院总费用 ' || r.total_fee`,
    },
  ],
};
