/**
 * The pure parts of sign-in: password hashes (scrypt, self-describing, salted) and the sliding-window
 * rate limit per user name and client address.
 */
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordHashParameters, verifyPassword } from '../../core/security/password-hash.ts';
import { SignInLimiter } from '../../ops/server/sign-in-limiter.ts';
import { describeCubeQuery, describeGraphqlQuery } from '../../ops/server/cube-audit.ts';

describe('password hashes', () => {
  it('are scrypt with their parameters and a random salt, and verify only the right password', async () => {
    const hash = await hashPassword('正确的密码 correct horse');
    const { N, r, p } = passwordHashParameters;
    expect(hash).toMatch(new RegExp(`^scrypt\\$${N}\\$${r}\\$${p}\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}$`));
    expect(await hashPassword('正确的密码 correct horse')).not.toBe(hash);
    expect(await verifyPassword('正确的密码 correct horse', hash)).toBe(true);
    expect(await verifyPassword('正确的密码 correct horsE', hash)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('anything', 'scrypt$3$8$1$AAAA$AAAA')).toBe(false);
  });
});

describe('the sign-in limiter', () => {
  it('locks a user name after its failures within the window, until they age out', () => {
    let now = 0;
    const limiter = new SignInLimiter({ maxFailuresPerUser: 3, maxFailuresPerIp: 100, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.retryAfterSeconds('Alice', '10.0.0.1')).toBe(0);
      limiter.failed('Alice', '10.0.0.1');
      now += 1_000;
    }
    // Locked for every spelling of the name and from any address; another user is not.
    expect(limiter.retryAfterSeconds('alice', '10.0.0.2')).toBe(57);
    expect(limiter.retryAfterSeconds('bob', '10.0.0.1')).toBe(0);
    now = 60_001;
    expect(limiter.retryAfterSeconds('alice', '10.0.0.1')).toBe(0);
    limiter.failed('alice', '10.0.0.1');
    limiter.succeeded('ALICE');
    expect(limiter.retryAfterSeconds('alice', '10.0.0.1')).toBe(0);
  });

  it('locks an address that tries many names', () => {
    let now = 0;
    const limiter = new SignInLimiter({ maxFailuresPerUser: 5, maxFailuresPerIp: 4, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 4; i += 1) limiter.failed(`user${i}`, '10.0.0.9');
    now = 30_000;
    expect(limiter.retryAfterSeconds('someone', '10.0.0.9')).toBe(30);
    expect(limiter.retryAfterSeconds('someone', '10.0.0.8')).toBe(0);
  });
});

describe('what the audit trail keeps of a query', () => {
  it('names views, members and filters of REST and GraphQL queries', () => {
    const v = 'department_charge_analysis';
    expect(
      describeCubeQuery({
        measures: [`${v}.total_charge_amount`],
        dimensions: [`${v}.department_name`],
        timeDimensions: [{ dimension: `${v}.month`, granularity: 'month', dateRange: ['2025-01-01', '2025-03-31'] }],
        segments: [`${v}.inpatient`],
        filters: [{ or: [{ member: `${v}.visit_type`, operator: 'equals', values: ['inpatient'] }] }],
      }),
    ).toEqual({
      views: [v],
      members: [`${v}.total_charge_amount`, `${v}.department_name`, `${v}.month.month`],
      filters: [
        { member: `${v}.month`, operator: 'inDateRange', values: ['2025-01-01', '2025-03-31'] },
        { segment: `${v}.inpatient` },
        { or: [{ member: `${v}.visit_type`, operator: 'equals', values: ['inpatient'] }] },
      ],
    });
    expect(
      describeGraphqlQuery(
        '{ cube(where: { visit_type: { equals: "inpatient" } }) { department_charge_analysis { line_count department_name } } }',
      ),
    ).toEqual({
      views: [v],
      members: [`${v}.line_count`, `${v}.department_name`],
      filters: [{ graphql: 'where: { visit_type: { equals: "inpatient" } }' }],
    });
  });
});
