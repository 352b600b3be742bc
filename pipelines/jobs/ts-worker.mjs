// Bree starts jobs in worker threads, where TypeScript needs tsx registered first: this loader
// registers it, then runs the job file named in workerData (pipelines/jobs/<job>.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(new URL(`./${workerData.job}.ts`, import.meta.url).href);
