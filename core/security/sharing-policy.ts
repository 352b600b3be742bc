import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../errors.ts';

/**
 * The shared aggregates the alliance offers its members, by the name of the Cube view that serves
 * them; each is backed by a relation in the `shared` schema whose suppression is computed in SQL
 * (core/security/shared-relations.ts), so Cube and a direct PostgreSQL connection give the same
 * answer. Only these can be shared: a detail view can never be opened to other members by configuration.
 */
export const shareableViews = [
  'alliance_charge_benchmark',
  'alliance_drg_benchmark',
  'alliance_unit_cost_benchmark',
  'alliance_fund_benchmark',
] as const;
export type ShareableView = (typeof shareableViews)[number];

/**
 * What members may see of other hospitals. A cell of a shared aggregate (one hospital, standard
 * department, month and visit type) built from fewer than `minCellCases` cases is suppressed: its
 * figures are null, in every roll-up too, so a total never lets anyone work a suppressed cell out.
 * "Cases" are charge lines (`line_count` of the charges mart) for the charge benchmark, and
 * inpatient discharges (`case_count` of the DRG group mart) for the DRG benchmark, and the unit
 * cost's own volume for the unit-cost benchmark (门急诊人次 of an outpatient row, 实际占用床日 of
 * an inpatient row), and 门急诊人次 or 出院人次 for the fund benchmark, whose fund-balance pair also
 * needs `minCellCases` declared settlement lists.
 *
 * A member's view of its peers (`member_vs_peers`: its own figures beside the distribution of its
 * subject (DRG group, 病种 or department) × level × year or month pool) shows a pool's statistics
 * only when the pool holds at least `minPeerHospitals` hospitals and at least `minCellCases` cases. Never fewer than 3 hospitals: in
 * a pool of 2, the member's own value and any one percentile or the weighted mean give the other
 * hospital's value exactly.
 */
export const sharingPolicySchema = z
  .object({
    sharedViews: z.array(z.enum(shareableViews)).default([...shareableViews]),
    minCellCases: z.number().int().min(1).max(1_000_000).default(10),
    minPeerHospitals: z.number().int().min(3).max(1_000).default(3),
  })
  .strict();

export type SharingPolicy = z.infer<typeof sharingPolicySchema>;

/**
 * The sharing policy of the configuration (`HDW_SHARED_VIEWS`, `HDW_MIN_CELL_CASES`,
 * `HDW_MIN_PEER_HOSPITALS`, or `sharedViews`/`minCellCases`/`minPeerHospitals` in hdw.config.json), already validated by the config schema: Cube's
 * row security and the warehouse's own grants and shared relations both take it from here.
 */
export function sharingPolicyOf(
  config: Pick<Config, 'HDW_SHARED_VIEWS' | 'HDW_MIN_CELL_CASES' | 'HDW_MIN_PEER_HOSPITALS'>,
): SharingPolicy {
  return parseSharingPolicy({
    sharedViews: config.HDW_SHARED_VIEWS,
    minCellCases: config.HDW_MIN_CELL_CASES,
    minPeerHospitals: config.HDW_MIN_PEER_HOSPITALS,
  });
}

/** Shared views on, cells under 10 cases suppressed: the configuration's defaults. */
export const defaultSharingPolicy: SharingPolicy = sharingPolicySchema.parse({});

/**
 * Validates a sharing policy from configuration (e.g. a `sharing` object in hdw.config.json);
 * missing fields take the defaults. Throws ConfigError naming the bad field.
 *
 * @example
 *   parseSharingPolicy({ minCellCases: 20 }); // { sharedViews: ['alliance_charge_benchmark'], minCellCases: 20 }
 */
export function parseSharingPolicy(raw: unknown): SharingPolicy {
  const parsed = sharingPolicySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'sharing'}: ${issue.message}`,
    );
    throw new ConfigError(`Sharing policy error: ${problems.join('; ')}`);
  }
  return parsed.data;
}
