import { buildStage, loadProject, publishStage, testStage } from '../run-pipeline.ts';
import { runJob } from './run-job.ts';

await runJob('transform', async (ctx) => {
  const project = await loadProject();
  const models = await buildStage(ctx, project);
  const tests = await testStage(ctx, project, models);
  if (models.every((m) => m.status === 'success') && tests.every((t) => t.status === 'pass'))
    await publishStage(ctx);
});
