/** One entry of the schedule: a job file in pipelines/jobs/ and when it runs. */
export interface ScheduledJob {
  /** File name (without .ts) in pipelines/jobs/. */
  readonly name: 'ingest' | 'transform';
  readonly description: string;
  /** Cron expression (minute hour day month weekday), server local time. */
  readonly cron: string;
  /** Longest a run may take before Bree stops its worker (Bree's `closeWorkerAfterMs`). */
  readonly runLimitMs: number;
}

/**
 * When each stage runs. Every job is safe to run again for the same period: content already
 * loaded is skipped and models are rebuilt from the warehouse.
 */
export const schedule: readonly ScheduledJob[] = [
  {
    name: 'ingest',
    description: '每 15 分钟：把收件箱里的新交付入库（清洗、隔离、对账）',
    cron: '*/15 * * * *',
    runLimitMs: 60 * 60 * 1000,
  },
  {
    name: 'transform',
    description: '每小时第 40 分：重建模型、运行数据测试、发布到 Cube',
    cron: '40 * * * *',
    runLimitMs: 2 * 60 * 60 * 1000,
  },
];
