import { exceptionRows, summariseExceptions } from '../../pipelines/ingest/exception-report.ts';
import { replayQuarantine } from '../../pipelines/ingest/replay-quarantine.ts';
import { withTimeZone } from '../../pipelines/ingest/source-definition.ts';
import { allSources } from '../../pipelines/sources/index.ts';
import { withWarehouse } from '../context.ts';

export interface ExceptionsOptions {
  readonly rule?: string;
  readonly source?: string;
  readonly hospital?: string;
  readonly limit?: number;
}

/**
 * `hdw exceptions`: the steward's view of data quality. Without `--rule`, a summary by source,
 * rule, hospital and day; with `--rule R`, the rows behind that rule with file, line and message.
 */
export async function exceptionsCommand(options: ExceptionsOptions): Promise<void> {
  await withWarehouse(async (w) => {
    const out: string[] = [];
    if (options.rule) {
      const rows = await exceptionRows(w.pool, { ...options, rule: options.rule }, options.limit ?? 50);
      out.push(`异常 exceptions of rule ${options.rule}: ${rows.length} row(s) shown (open only)`);
      for (const r of rows) {
        const held = r.quarantine_status === 'quarantined' ? ' [隔离 quarantined]' : '';
        out.push(
          `  ${r.source_file}:${r.source_line}  ${r.record_key ?? '-'}  ${r.severity}${held}  ${r.message}`,
        );
      }
    } else {
      const rows = await summariseExceptions(w.pool, options);
      out.push(
        ['source', 'rule', 'severity', 'hospital', 'day', 'exceptions', 'open', 'quarantined'].join('\t'),
      );
      for (const r of rows) {
        out.push(
          [
            r.source,
            r.rule_id,
            r.severity,
            r.hospital_code,
            r.day,
            r.exceptions,
            r.open_exceptions,
            r.quarantined,
          ].join('\t'),
        );
      }
      if (rows.length === 0) out.push('no exceptions');
    }
    process.stdout.write(`${out.join('\n')}\n`);
  });
}

/**
 * `hdw replay [--rule R] [--source S]`: re-runs quarantined rows after a dictionary fix and
 * reconciles their batches again. Replaying nothing is a normal answer; only errors fail.
 */
export async function replayCommand(options: {
  readonly rule?: string;
  readonly source?: string;
}): Promise<void> {
  const results = await withWarehouse(
    (w, ctx) =>
      replayQuarantine(w.pool, {
        sources: withTimeZone(allSources, ctx.config.HDW_TIME_ZONE),
        logger: ctx.logger,
        ...options,
      }),
    { lock: 'replay' },
  );
  const replayed = results.reduce((n, r) => n + r.replayed, 0);
  const released = results.reduce((n, r) => n + r.released, 0);
  const out = [
    `重放 replay: ${replayed} quarantined row(s) in ${results.length} batch(es) re-run, ${released} released, ${replayed - released} still held`,
  ];
  for (const r of results)
    out.push(`  ${r.sourceFile} (batch ${r.batchId}): ${r.released}/${r.replayed} released`);
  process.stdout.write(`${out.join('\n')}\n`);
}
