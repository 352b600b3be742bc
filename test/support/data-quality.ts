import type pg from 'pg';
import { buildModels, testModels, type TestResult } from '../../core/engine/build-models.ts';
import { selectModels } from '../../core/engine/selection.ts';
import { silentLogger } from '../../core/logging/logger.ts';
import { loadProject } from '../../pipelines/run-pipeline.ts';

const dataQuality = 'tag:data_quality';

/**
 * Builds the data-quality models (tag `data_quality`: the `stg_ops__*` staging models and the
 * `fct_data_quality_*` marts) with the engine, as `hdw build` does; throws naming any that failed.
 */
export async function buildDataQualityModels(pool: pg.Pool): Promise<void> {
  const run = await buildModels(pool, await loadProject(), { logger: silentLogger, select: dataQuality });
  if (run.publication !== 'published')
    throw new Error(`data-quality models were not published: ${run.blockedBy.join('; ')}`);
}

/** Runs the declared tests of the data-quality models; returns those that did not pass. */
export async function failingDataQualityTests(pool: pg.Pool): Promise<TestResult[]> {
  const project = await loadProject();
  const models = new Set(selectModels(project, dataQuality).map((m) => m.definition.name));
  const results = await testModels(pool, project, { logger: silentLogger, models });
  if (results.length === 0) throw new Error('the data-quality models declare no tests');
  return results.filter((r) => r.status !== 'pass');
}
