import { ingestStage, seedStage } from '../run-pipeline.ts';
import { runJob } from './run-job.ts';

await runJob('ingest', async (ctx) => {
  await seedStage(ctx);
  await ingestStage(ctx);
});
