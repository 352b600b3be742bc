import { userInfo } from 'node:os';
import type pg from 'pg';
import { HdwError } from '../../core/errors.ts';
import { buildStage, loadProject, publishStage, type StageContext } from '../../pipelines/run-pipeline.ts';
import { withWarehouse } from '../context.ts';

/**
 * `hdw violations`: the fund-violation flags (fct_fund_violation_flags) and their review. A review
 * (confirmed or dismissed, with a note) is kept in ops.fund_violation_reviews under the flag's key,
 * outside the rebuilt marts, so it survives every rebuild; the mart is rebuilt and published at
 * once (its screen, int_fund_violations__screened, is not), so Cube shows the status too.
 */

export const reviewStatuses = ['confirmed', 'dismissed'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** The review's rebuild: its staging view and the flags mart, as `hdw build -s` would. */
const rebuildSelection = 'stg_ops__fund_violation_reviews fct_fund_violation_flags';

/**
 * Stores (or replaces) the review of a flag with who made it (default: the operating-system user
 * running the CLI) and when; an unknown flag key is an error. Returns the undo.
 */
export async function saveReview(
  pool: pg.Pool,
  flagKey: string,
  status: string,
  note: string | undefined,
  reviewer: string = userInfo().username,
): Promise<() => Promise<void>> {
  if (!(reviewStatuses as readonly string[]).includes(status))
    throw new HdwError('E_USAGE', `--status must be one of ${reviewStatuses.join(', ')} (got ${status})`);
  const known = await pool.query('select 1 from marts.fct_fund_violation_flags where flag_key = $1', [
    flagKey,
  ]);
  if (!known.rowCount)
    throw new HdwError('E_USAGE', `没有疑点 ${flagKey} (no such flag; hdw violations list shows them)`);
  const { rows } = await pool.query(
    'select status, note, reviewed_by, reviewed_at from ops.fund_violation_reviews where flag_key = $1',
    [flagKey],
  );
  const before = rows[0] as
    { status: string; note: string | null; reviewed_by: string; reviewed_at: Date } | undefined;
  await pool.query(
    `insert into ops.fund_violation_reviews (flag_key, status, note, reviewed_by) values ($1, $2, $3, $4)
     on conflict (flag_key) do update
       set status = excluded.status, note = excluded.note, reviewed_by = excluded.reviewed_by, reviewed_at = now()`,
    [flagKey, status, note ?? null, reviewer],
  );
  return async () => {
    await pool.query('delete from ops.fund_violation_reviews where flag_key = $1', [flagKey]);
    if (before)
      await pool.query(
        'insert into ops.fund_violation_reviews (flag_key, status, note, reviewed_by, reviewed_at) values ($1, $2, $3, $4, $5)',
        [flagKey, before.status, before.note, before.reviewed_by, before.reviewed_at],
      );
  };
}

/** Rebuilds the reviews' view and fct_fund_violation_flags, and publishes them if their tests pass. */
export async function rebuildViolationFlags(ctx: StageContext): Promise<void> {
  const build = await buildStage(ctx, await loadProject(), { select: rebuildSelection });
  if (build.publication !== 'published' || build.models.some((m) => m.status !== 'success')) {
    const failed = build.models.filter((m) => m.status !== 'success').map((m) => `${m.model}: ${m.message}`);
    throw new HdwError(
      'E_BUILD',
      `fct_fund_violation_flags was not rebuilt: ${[...failed, ...build.blockedBy].join('; ') || build.publication}`,
    );
  }
  await publishStage(ctx);
}

/** Which flags `hdw violations list` shows. */
export interface ListOptions {
  readonly hospital?: string;
  readonly rule?: string;
  readonly status?: string;
  readonly limit?: number;
}

/** The flags as a tab-separated Chinese table, newest month first. */
export async function listViolations(pool: pg.Pool, opts: ListOptions): Promise<string> {
  const { rows } = await pool.query<Record<string, string>>(
    `select flag_key, rule_name, severity, responsible_department, hospital_name, to_char(flag_month, 'YYYY-MM') as month,
       coalesce(amount_at_issue::text, '') as amount, review_status_name, coalesce(review_note, '') as note, evidence
     from marts.fct_fund_violation_flags
     where ($1::text is null or hospital_code = $1) and ($2::text is null or rule_id = $2 or rule_code = $2)
       and ($3::text is null or review_status = $3)
     order by flag_month desc, rule_id, hospital_code, visit_id
     limit $4`,
    [opts.hospital ?? null, opts.rule ?? null, opts.status ?? null, opts.limit ?? 200],
  );
  const header = [
    '疑点键',
    '规则',
    '严重程度',
    '责任部门',
    '医院',
    '月份',
    '疑点金额',
    '复核状态',
    '复核说明',
    '证据',
  ];
  const lines = rows.map((r) =>
    [
      r.flag_key,
      r.rule_name,
      r.severity,
      r.responsible_department,
      r.hospital_name,
      r.month,
      r.amount,
      r.review_status_name,
      r.note,
      r.evidence,
    ].join('\t'),
  );
  return [header.join('\t'), ...lines, `（${rows.length} 条）`].join('\n') + '\n';
}

/** `hdw violations list` */
export async function violationsListCommand(
  opts: ListOptions,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  write(await withWarehouse((w) => listViolations(w.pool, opts)));
}

/** `hdw violations review <flag-key> --status confirmed|dismissed [--note …]` */
export async function violationsReviewCommand(
  flagKey: string,
  opts: { status: string; note?: string; reviewer?: string },
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  await withWarehouse(
    async (w, ctx) => {
      const undo = await saveReview(w.pool, flagKey, opts.status, opts.note, opts.reviewer);
      await rebuildViolationFlags({ pool: w.pool, ...ctx }).catch(async (error: unknown) => {
        await undo();
        throw error;
      });
      write(`疑点 ${flagKey} 复核为 ${opts.status}（fct_fund_violation_flags rebuilt）\n`);
    },
    { lock: 'violations review' },
  );
}
