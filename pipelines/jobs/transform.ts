import { buildStage, loadProject, pregroupStage, publishStage } from '../run-pipeline.ts';
import { runJob } from './run-job.ts';

await runJob('transform', async (ctx) => {
  // Stays delivered since the last run get their own group before the models read it.
  await pregroupStage(ctx);
  // Models are built, tested in the audit schemas and published together, or not at all.
  const build = await buildStage(ctx, await loadProject());
  if (build.publication === 'published') await publishStage(ctx);
});
