import type { SessionUser } from './session';

type Role = SessionUser['role'] | undefined;

/**
 * What a role may do or see beyond what every page shows. The server decides (row security, the
 * /api routes): these only keep the page from offering what would be refused.
 */
export const permissions = {
  /** Case lists (ungrouped rows of drg_case_detail): managers read aggregates only. */
  caseDetail: (role: Role) => role !== undefined && role !== 'manager',
  /** Case-level violation detail (visit ids, charge lines, review notes): violation_case_detail. */
  violationCaseDetail: (role: Role) => role === 'steward',
  /** Setting a flag's review status (POST /api/violations/review); a member on its own hospital's flags only. */
  reviewViolations: (role: Role) => role === 'steward' || role === 'manager' || role === 'member',
  /** Quarantined rows and their payloads: exception_review. */
  exceptionDetail: (role: Role) => role === 'steward',
  /** Every hospital's place among its peers (regional_benchmark) and the external benchmarks. */
  staffBenchmarks: (role: Role) => role !== undefined && role !== 'member',
};
