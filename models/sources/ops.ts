import { defineSources } from '../../core/engine/source-definition.ts';

/**
 * The warehouse's own ledger: models read it to follow replaced deliveries, and the data-quality
 * marts (models/marts/data_quality/) are built on it. No freshness: it is written by the warehouse itself.
 */
export default defineSources({
  system: 'ops',
  description: '数据仓库运行台账：批次、对账、规则结果、异常、隔离区、作业与模型运行、数据及时性检查、访问审计、预分组。',
  schema: 'ops',
  tables: {
    batches: { description: '每次交付一个批次：来源、医院、期间、状态（loaded / replaced）与对账数字' },
    batch_rule_results: { description: '每个批次每条清洗规则一行：检查行数、失败行数、阈值、是否标记' },
    exceptions: { description: '入库时清洗规则发现的异常，每条一行（文件、行号、规则、说明）' },
    quarantine: {
      description: '被阻断规则隔离的原始行及其状态（quarantined / replayed / discarded）',
      columns: { payload: { description: '隔离行原始内容（JSON），可能含患者信息', pii: true } },
    },
    job_runs: { description: '作业运行记录：种子、入库、建模、测试、发布、及时性检查' },
    model_runs: { description: '模型构建与测试的每次运行：状态、行数、耗时、信息' },
    source_freshness_checks: {
      description: 'hdw source freshness 的结果：每次检查每个来源 × 医院一行，含所用阈值与状态',
    },
    payment_scenarios: {
      description:
        'hdw simulate 保存的 DRG 支付模拟方案：每个方案一行，内容同种子 drg_payment_scenarios 的一行（JSON）',
    },
    access_audit: {
      description:
        '访问审计（等保 2.0 安全审计）：每次登录（成功与失败）、每次 API 查询、下载与操作一行：谁（用户、角色、医院、凭证类型）、查询了什么（视图、成员、筛选条件）、返回行数、状态、来源地址；不含任何返回的数据值',
    },
    case_pregroups: {
      description:
        '预分组：流水线在建模前按配置的 DRG 分组规则（默认国家 CHS-DRG 1.1）对每次住院的病案首页（无首页时为医保结算清单）分组的结果，每次住院一行（分组结果、状态、分组理由、输入哈希与规则版本）',
    },
    fund_violation_reviews: {
      description:
        'hdw violations review 记录的违规疑点复核结论：每个疑点键一行（confirmed 确认 / dismissed 排除、说明、复核人、时间）',
    },
  },
});
