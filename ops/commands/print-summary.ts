import type { PipelineSummary } from '../../pipelines/run-pipeline.ts';

/** Prints what a run did, as a short table a person reads on the terminal (stdout). */
export function printPipelineSummary(summary: Partial<PipelineSummary>): void {
  const out: string[] = [];
  if (summary.ingest) {
    const loaded = summary.ingest.batches.filter((b) => b.outcome !== 'skipped');
    const sum = (pick: (b: (typeof loaded)[number]) => number) => loaded.reduce((n, b) => n + pick(b), 0);
    out.push(
      `入库 ingest: ${loaded.length} batch(es) loaded, ${summary.ingest.batches.length - loaded.length} skipped (already loaded), ` +
        `${summary.ingest.rejected.length} rejected`,
      `  rows read ${sum((b) => b.rowsRead)} = loaded ${sum((b) => b.rowsLoaded)} + quarantined ${sum((b) => b.rowsQuarantined)} + duplicates ${sum((b) => b.rowsDuplicate)}` +
        ` (with warnings: ${sum((b) => b.rowsWarned)})`,
    );
    for (const r of summary.ingest.rejected) out.push(`  rejected ${r.reason}`);
    // Files not complete yet (upload in progress, quiet period, marker) or changed while read.
    const deferred = summary.ingest.deferred;
    if (deferred.length > 0) {
      out.push(`  ${deferred.length} file(s) left in the inbox for a later run:`);
      for (const d of deferred.slice(0, 5)) out.push(`    ${d.file}: ${d.reason}`);
      if (deferred.length > 5) out.push(`    … and ${deferred.length - 5} more`);
    }
    for (const u of summary.ingest.unrecognised)
      out.push(`  unrecognised ${summary.ingest.unrecognisedReasons[u] ?? u}`);
    // Source databases (HDW_DATABASE_SOURCES): their batches are counted above with the files'.
    const databases = summary.ingest.databaseSources;
    if (databases.length > 0) {
      const failed = databases.filter((d) => d.outcome === 'failed');
      const withBatch = databases.filter((d) => d.outcome !== 'failed' && d.outcome !== 'no-new-rows');
      out.push(
        `  source databases: ${databases.length} configured, ${withBatch.length} with new rows, ` +
          `${databases.length - failed.length - withBatch.length} with none, ${failed.length} failed`,
      );
      for (const d of failed)
        out.push(
          `  failed ${d.source} of ${d.hospitalCode} (${d.connection}): ${d.error ?? 'unknown error'}`,
        );
    }
    // A batch is flagged when a rule's failing share exceeds its threshold in the rule catalogue.
    const flagged = loaded.filter((batch) => (batch.flaggedRules ?? []).length > 0);
    if (flagged.length > 0) {
      out.push(
        `  flagged ${flagged.length} batch(es), a rule failing above its threshold (hdw exceptions shows the rows):`,
      );
      for (const b of flagged.slice(0, 5))
        out.push(`    ${b.delivery.relativePath}: ${b.flaggedRules!.join(', ')}`);
      if (flagged.length > 5) out.push(`    … and ${flagged.length - 5} more`);
    }
  }
  if (summary.pregroup) {
    const p = summary.pregroup;
    if ('error' in p) out.push(`预分组 pre-group: failed (${p.error}); the models read the pre-groups stored before`);
    else
      out.push(
        `预分组 pre-group: ${p.stays} stay(s), ${p.grouped} grouped this run with ${p.ruleSetVersion}` +
          (p.grouped > 0
            ? ` (${Object.entries(p.byStatus)
                .map(([status, n]) => `${status} ${n}`)
                .join(', ')})`
            : '') +
          (p.removed > 0 ? `, ${p.removed} removed (stay no longer delivered)` : ''),
      );
  }
  if (summary.models) {
    const bad = summary.models.filter((m) => m.status !== 'success');
    out.push(`建模 build: ${summary.models.length - bad.length}/${summary.models.length} models built`);
    for (const m of bad) out.push(`  ${m.status} ${m.model}: ${m.message ?? ''}`);
    for (const m of summary.models.filter((r) => r.rebuiltFully))
      out.push(`  ${m.model} rebuilt fully: ${m.rebuiltFully}`);
  }
  if (summary.tests) {
    const bad = summary.tests.filter((t) => t.status !== 'pass');
    const warned = bad.filter((t) => t.status === 'warn').length;
    out.push(
      `测试 tests: ${summary.tests.length - bad.length}/${summary.tests.length} passed${warned ? ` (${warned} warn)` : ''}`,
    );
    for (const t of bad) {
      out.push(
        `  ${t.status} ${t.model} ${t.test}: ${t.failures} failing row(s) ${t.message ?? JSON.stringify(t.sample.slice(0, 3))}`,
      );
    }
  }
  // SQL users' views of the Cube views (schema `semantic`); Cube itself is not affected.
  if (summary.semanticViewsFailed?.length) {
    out.push(
      `语义视图 semantic views: ${summary.semanticViewsFailed.length} could not be made for SQL users:`,
    );
    for (const failure of summary.semanticViewsFailed) out.push(`  ${failure}`);
  }
  if (summary.publication === 'blocked') {
    out.push('发布 publish: BLOCKED — nothing published, the previous models keep serving:');
    for (const reason of summary.blockedBy ?? []) out.push(`  ${reason}`);
  } else if (summary.publication === 'published')
    out.push('发布 publish: all models of the run published together');
  process.stdout.write(`${out.join('\n')}\n`);
}
