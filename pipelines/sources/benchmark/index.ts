import { cmsIppsProviderSummary, cmsMsDrgWeights } from './cms-ipps.ts';

/** Every published benchmark table the warehouse accepts (see `published-table.ts`). */
export const benchmarkSources = [cmsIppsProviderSummary, cmsMsDrgWeights] as const;
