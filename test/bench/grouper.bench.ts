/**
 * The CHS-DRG 1.1 grouper alone (no database): the national rules shipped with the project are
 * loaded and compiled, then the 5,000 conformance cases of `../shared/datasets/chs-drg-1.1/grouping`
 * are grouped over and over to one million records on this thread, reasons included. Prints
 * grouper_load_ms, grouper_records, grouper_records_per_s (wall clock; target ≥ 100,000),
 * grouper_records_per_cpu_s (this process's CPU time, the figure to compare on a busy machine) and
 * grouper_conformance (records equal to OpenDRG's result, of those grouped).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { matchesExpected, parseCaseCsv } from '../../core/drg-grouper/case-file.ts';
import { createGrouper } from '../../core/drg-grouper/grouper.ts';
import { readRuleSet, sharedRuleSetDir } from '../../core/drg-grouper/rule-set.ts';
import type { BenchContext } from './run.ts';

const RECORDS = 1_000_000;

export default async function grouperBench(ctx: BenchContext): Promise<void> {
  const file = path.join(sharedRuleSetDir, 'conformance_cases.csv');
  if (!existsSync(file)) {
    ctx.report('skipped', `${file} is absent`);
    return;
  }
  const loadStarted = performance.now();
  const grouper = createGrouper(readRuleSet());
  ctx.report('grouper_load_ms', Math.round(performance.now() - loadStarted));
  const cases = parseCaseCsv(readFileSync(file, 'utf8'), file);

  // Warm-up: one pass, not timed.
  for (const c of cases) grouper.group(c.record);

  let matching = 0;
  let reasons = 0;
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < RECORDS; i++) {
    const c = cases[i % cases.length]!;
    const result = grouper.group(c.record);
    reasons += result.reasons.length;
    if (matchesExpected(c, result)) matching++;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  ctx.report('grouper_records', RECORDS);
  ctx.report('grouper_reasons', reasons);
  ctx.report('grouper_records_per_s', Math.round(RECORDS / seconds));
  ctx.report('grouper_records_per_cpu_s', Math.round(RECORDS / ((cpu.user + cpu.system) / 1e6)));
  ctx.report('grouper_conformance', `${matching}/${RECORDS}`);
}
