import { z } from 'zod';

/** The roles a token can carry. `member` is one hospital of the alliance and sees only its own rows. */
export const roles = ['analyst', 'manager', 'steward', 'member'] as const;
export type Role = (typeof roles)[number];

const claimText = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'missing' : 'must be a string') })
    .trim()
    .min(1, 'must not be empty');
const allianceId = claimText();
const hospitalCode = claimText();

/**
 * Who is asking, as carried in the token's claims (exactly these names). A member without a
 * hospital cannot be scoped to one, so it is refused rather than shown everything: security fails
 * closed. Other claims (exp, iat, …) are dropped.
 */
export const securityContextSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('member'), hospital_code: hospitalCode, alliance_id: allianceId }),
  z.object({
    role: z.enum(['analyst', 'manager', 'steward']),
    hospital_code: hospitalCode.optional(),
    alliance_id: allianceId,
  }),
]);

export type SecurityContext = z.infer<typeof securityContextSchema>;

/** Claims accepted by `signToken`; the same shape as the security context. */
export interface TokenClaims {
  readonly role: Role;
  readonly hospital_code?: string;
  readonly alliance_id: string;
}

/**
 * Why a payload is not a usable security context, naming the claims but never their values, e.g.
 * `hospital_code: missing`, for logs and 403 bodies.
 */
export function describeContextProblem(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const claim = issue.path.length > 0 ? issue.path.join('.') : 'role';
      const message =
        issue.code === 'invalid_union' || claim === 'role' ? 'unknown or missing role' : issue.message;
      return `${claim}: ${message}`;
    })
    .join('; ');
}
