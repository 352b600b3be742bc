import { workload } from './workload.ts';

/** Every LIS/PACS delivery the warehouse accepts. */
export const labSources = [workload] as const;
