import { sql } from 'kysely';
import { defineModel } from '../../../core/engine/model-definition.ts';

/**
 * The principal diagnosis of every stay, chosen once: the case cost mart (病种成本) and the case
 * fact (病种对标) read it, so a stay's 病种 is the same wherever it is counted.
 */
export default defineModel({
  name: 'int_inpatient_cases__diagnosed',
  materialized: 'table',
  // Built without parallel workers (select 0.75–1.06 s with two, 0.52 s without, full demo): it runs
  // beside int_inpatient_cases__grouped, which needs the CPUs more.
  plannerSettings: { max_parallel_workers_per_gather: '0' },
  description: [
    '住院病例的主要诊断（病种）：每个有主诊断的住院病例一行。取病案首页主诊断（同一病例多条时取诊断序号最小者），',
    '首页没有主诊断（未交付或被隔离）时取医保结算清单的西医主诊断（diagnosis_type = 1，多张清单时取结算 ID 最大者）；',
    '名称取统一诊断字典（dim_diagnoses），字典没有时取填报名称。两处都没有主诊断的病例不在本表。',
  ].join(''),
  grain:
    'One row per inpatient stay (hospital, visit id) with a principal diagnosis on its front page or settlement list.',
  primaryKey: ['hospital_code', 'visit_id'],
  columns: {
    hospital_code: { title: '医院编码', description: '医联体成员医院的编码。', tests: ['not_null'] },
    visit_id: { title: '住院号', description: 'HIS 住院号（就诊号）。', tests: ['not_null'] },
    principal_diagnosis_code: {
      title: '主要诊断编码',
      description: '主要诊断：病案首页主诊断，首页缺失时取医保结算清单西医主诊断。',
      tests: ['not_null'],
    },
    principal_diagnosis_name: {
      title: '主要诊断名称',
      description: '主要诊断名称（统一字典，字典没有时取填报名称）。',
    },
    diagnosis_source: {
      title: '诊断来源',
      description: 'front_page 病案首页 / settlement 医保结算清单。',
      tests: [{ accepted_values: ['front_page', 'settlement'] }],
    },
  },
  unitTests: [
    {
      name: 'front page first (lowest sequence), else the settlement list (latest), names from the dictionary',
      given: {
        stg_emr__front_page_diagnoses: [
          {
            hospital_code: 'H',
            visit_id: 'V1',
            diagnosis_seq: 2,
            diagnosis_code: 'I10.X00',
            diagnosis_name: '高血压',
            is_principal: true,
          },
          {
            hospital_code: 'H',
            visit_id: 'V1',
            diagnosis_seq: 1,
            diagnosis_code: 'K80.100',
            diagnosis_name: '胆囊结石伴胆囊炎',
            is_principal: true,
          },
          {
            hospital_code: 'H',
            visit_id: 'V2',
            diagnosis_seq: 1,
            diagnosis_code: 'E11.900',
            diagnosis_name: '糖尿病',
            is_principal: false,
          },
        ],
        stg_insurance__settlement_diagnoses: [
          {
            hospital_code: 'H',
            visit_id: 'V1',
            settlement_id: 'S1',
            diagnosis_type: '1',
            diagnosis_code: 'K81.000',
            diagnosis_name: '急性胆囊炎',
            is_principal: true,
          },
          {
            hospital_code: 'H',
            visit_id: 'V2',
            settlement_id: 'S2',
            diagnosis_type: '1',
            diagnosis_code: 'J18.900',
            diagnosis_name: '肺炎旧',
            is_principal: true,
          },
          {
            hospital_code: 'H',
            visit_id: 'V2',
            settlement_id: 'S3',
            diagnosis_type: '1',
            diagnosis_code: 'J18.000',
            diagnosis_name: '支气管肺炎',
            is_principal: true,
          },
          {
            hospital_code: 'H',
            visit_id: 'V3',
            settlement_id: 'S4',
            diagnosis_type: '2',
            diagnosis_code: 'U00.000',
            diagnosis_name: '中医',
            is_principal: true,
          },
        ],
        dim_diagnoses: [{ diagnosis_code: 'K80.100', diagnosis_name: '胆囊结石伴急性胆囊炎' }],
      },
      // V1: the front page's lowest sequence, named by the dictionary; V2: no principal on its front
      // page, so the latest settlement list's; V3: only a TCM diagnosis, so no row.
      expect: [
        {
          visit_id: 'V1',
          principal_diagnosis_code: 'K80.100',
          principal_diagnosis_name: '胆囊结石伴急性胆囊炎',
          diagnosis_source: 'front_page',
        },
        {
          visit_id: 'V2',
          principal_diagnosis_code: 'J18.000',
          principal_diagnosis_name: '支气管肺炎',
          diagnosis_source: 'settlement',
        },
      ],
    },
  ],
  sql: ({ ref }) => sql`
    with front_page_principal as (
      select distinct on (hospital_code, visit_id) hospital_code, visit_id, diagnosis_code, diagnosis_name
      from ${ref('stg_emr__front_page_diagnoses')}
      where is_principal
      order by hospital_code, visit_id, diagnosis_seq
    ),

    settlement_principal as (
      select distinct on (hospital_code, visit_id) hospital_code, visit_id, diagnosis_code, diagnosis_name
      from ${ref('stg_insurance__settlement_diagnoses')}
      where is_principal and diagnosis_type = '1'
      order by hospital_code, visit_id, settlement_id desc
    ),

    diagnoses as (
      select * from ${ref('dim_diagnoses')}
    ),

    chosen as (
      select
        coalesce(f.hospital_code, s.hospital_code) as hospital_code,
        coalesce(f.visit_id, s.visit_id) as visit_id,
        coalesce(f.diagnosis_code, s.diagnosis_code) as diagnosis_code,
        coalesce(f.diagnosis_name, s.diagnosis_name) as diagnosis_name,
        case when f.diagnosis_code is not null then 'front_page' else 'settlement' end as diagnosis_source
      from front_page_principal f
      full join settlement_principal s on s.hospital_code = f.hospital_code and s.visit_id = f.visit_id
    ),

    final as (
      select
        c.hospital_code,
        c.visit_id,
        c.diagnosis_code as principal_diagnosis_code,
        coalesce(g.diagnosis_name, c.diagnosis_name) as principal_diagnosis_name,
        c.diagnosis_source
      from chosen c
      left join diagnoses g on g.diagnosis_code = c.diagnosis_code
      where c.diagnosis_code is not null
    )

    select * from final`,
});
