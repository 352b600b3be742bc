import { loadDefinitions, type CompileProblem } from '../../core/engine/load-definitions.ts';
import { checkSourceFreshness, type FreshnessCheck } from '../../core/engine/source-freshness.ts';
import { HdwError } from '../../core/errors.ts';
import { recordJob } from '../../core/jobs/job-runs.ts';
import { projectPaths } from '../../core/paths.ts';
import { withWarehouse } from '../context.ts';

const statusLabel: Record<FreshnessCheck['status'], string> = {
  pass: '及时 pass',
  warn: '警告 warn',
  error: '超期 error',
};

/**
 * `hdw source freshness`: evaluates the freshness declared on the sources (models/sources/*.ts)
 * against the batches loaded, prints one line per source and hospital, records the result for the
 * freshness mart (job `source_freshness`), and returns false when any source is in error.
 */
export async function sourceFreshnessCommand(
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<boolean> {
  const problems: CompileProblem[] = [];
  const { sources } = await loadDefinitions(projectPaths.models, problems);
  const broken = problems.filter((p) => p.file.split(/[\\/]/).includes('sources'));
  if (broken.length > 0)
    throw new HdwError(
      'E_COMPILE',
      `source declarations cannot be loaded: ${broken.map((p) => `${p.file}: ${p.message}`).join('; ')}`,
    );
  const checks = await withWarehouse((w, ctx) =>
    recordJob(
      w.pool,
      ctx.logger,
      'source_freshness',
      (runId) =>
        checkSourceFreshness(
          w.pool,
          sources.map((s) => s.definition),
          { jobRunId: runId },
        ),
      (r) => ({
        checked: r.length,
        warn: r.filter((c) => c.status === 'warn').length,
        error: r.filter((c) => c.status === 'error').length,
        failed: r.some((c) => c.status === 'error'),
      }),
    ),
  );
  write(formatFreshness(checks));
  return checks.every((c) => c.status !== 'error');
}

/** The checks as a terminal table: source, hospital, last load, age, thresholds, status. */
export function formatFreshness(checks: readonly FreshnessCheck[]): string {
  if (checks.length === 0)
    return '数据及时性 source freshness: no source declares freshness (models/sources/*.ts)\n';
  const header = [
    '来源 source',
    '医院 hospital',
    '最近入库 last load',
    '距今 age (h)',
    '阈值 warn/error (h)',
    '状态 status',
  ];
  const rows = checks.map((c) => [
    c.source,
    c.hospitalCode ?? '-',
    // Local time, as YYYY-MM-DD HH:MM:SS (the sv-SE format).
    c.lastLoadedAt ? c.lastLoadedAt.toLocaleString('sv-SE') : '从未交付 never loaded',
    c.ageHours === null ? '-' : c.ageHours.toFixed(1),
    `${c.warnAfterHours}/${c.errorAfterHours}`,
    statusLabel[c.status],
  ]);
  const width = (cell: string) => [...cell].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => width(r[i]!))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell + ' '.repeat(widths[i]! - width(cell)))
      .join('  ')
      .trimEnd();
  const count = (status: FreshnessCheck['status']) => checks.filter((c) => c.status === status).length;
  return [
    line(header),
    ...rows.map(line),
    `数据及时性 source freshness: ${count('pass')} pass, ${count('warn')} warn, ${count('error')} error`,
    '',
  ].join('\n');
}
