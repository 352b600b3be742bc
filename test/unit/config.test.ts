import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, maskConnectionStrings } from '../../core/config/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { defaultSharingPolicy, sharingPolicyOf } from '../../core/security/sharing-policy.ts';

describe('configuration', () => {
  it('applies defaults relative to the working directory', () => {
    const config = loadConfig({}, '/srv/hdw');
    expect(config).toMatchObject({
      HDW_DATA_DIR: '/srv/hdw/.hdw',
      HDW_INBOX: '/srv/hdw/inbox',
      HDW_PORT: 4000,
      HDW_LOG_LEVEL: 'info',
      HDW_TIME_ZONE: 'Asia/Shanghai',
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it("takes the hospitals' time zone as an IANA name and refuses others", () => {
    expect(loadConfig({ HDW_TIME_ZONE: 'Asia/Urumqi' }, '/tmp').HDW_TIME_ZONE).toBe('Asia/Urumqi');
    expect(() => loadConfig({ HDW_TIME_ZONE: 'Beijing' }, '/tmp')).toThrow(
      'HDW_TIME_ZONE must be an IANA time zone such as Asia/Shanghai (got "Beijing")',
    );
  });

  it('believes no proxy about client addresses unless HDW_TRUST_PROXY names one', () => {
    expect(loadConfig({}, '/tmp').HDW_TRUST_PROXY).toBe('false');
    for (const value of ['loopback', '1', '10.0.0.0/8, 127.0.0.1', 'true'])
      expect(loadConfig({ HDW_TRUST_PROXY: value }, '/tmp').HDW_TRUST_PROXY).toBe(value);
    expect(() => loadConfig({ HDW_TRUST_PROXY: 'nginx please' }, '/tmp')).toThrow(/HDW_TRUST_PROXY must be false, true, a number of hops/);
  });

  it('stops with one line naming each bad variable and what is wrong', () => {
    const attempt = () =>
      loadConfig({ HDW_PORT: 'abc', HDW_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }, '/tmp');
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/HDW_PORT must be a whole number between 1 and 65535 \(got "abc"\)/);
      expect(message).toMatch(/HDW_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
      expect(message).toMatch(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
    }
  });

  it('reads the inbox quiet period and the senders of completion markers', () => {
    expect(loadConfig({}, '/tmp')).toMatchObject({
      HDW_INBOX_QUIET_SECONDS: 60,
      HDW_INBOX_MARKER_SENDERS: [],
    });
    expect(
      loadConfig({ HDW_INBOX_QUIET_SECONDS: '5', HDW_INBOX_MARKER_SENDERS: 'H32090200001, P320900' }, '/tmp'),
    ).toMatchObject({ HDW_INBOX_QUIET_SECONDS: 5, HDW_INBOX_MARKER_SENDERS: ['H32090200001', 'P320900'] });
    expect(() => loadConfig({ HDW_INBOX_QUIET_SECONDS: '-1' }, '/tmp')).toThrow(
      /HDW_INBOX_QUIET_SECONDS must be a number of seconds \(0 or more\)/,
    );
    expect(() => loadConfig({ HDW_INBOX_MARKER_SENDERS: 'H1' }, '/tmp')).toThrow(
      /HDW_INBOX_MARKER_SENDERS\[0\] must list hospital/,
    );
  });

  it('has a run-lock wait and a publish age limit, in the environment or hdw.config.json', async () => {
    expect(loadConfig({}, '/srv/hdw')).toMatchObject({
      HDW_LOCK_WAIT_SECONDS: 10,
      HDW_PUBLISH_MAX_AGE_HOURS: 6,
    });
    expect(
      loadConfig({ HDW_LOCK_WAIT_SECONDS: '0', HDW_PUBLISH_MAX_AGE_HOURS: '1.5' }, '/tmp'),
    ).toMatchObject({
      HDW_LOCK_WAIT_SECONDS: 0,
      HDW_PUBLISH_MAX_AGE_HOURS: 1.5,
    });
    expect(() => loadConfig({ HDW_LOCK_WAIT_SECONDS: '-1' }, '/tmp')).toThrow(
      /HDW_LOCK_WAIT_SECONDS must be a whole number of seconds, 0 or more \(got "-1"\)/,
    );
    expect(() => loadConfig({ HDW_PUBLISH_MAX_AGE_HOURS: '0' }, '/tmp')).toThrow(
      /HDW_PUBLISH_MAX_AGE_HOURS must be a number of hours above 0/,
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-config-'));
    try {
      await writeFile(
        path.join(dir, 'hdw.config.json'),
        JSON.stringify({ lockWaitSeconds: 30, publishMaxAgeHours: 2 }),
      );
      expect(loadConfig({}, dir)).toMatchObject({ HDW_LOCK_WAIT_SECONDS: 30, HDW_PUBLISH_MAX_AGE_HOURS: 2 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never echoes the JWT secret in an error', () => {
    expect(() => loadConfig({ HDW_JWT_SECRET: 'short-secret' }, '/tmp')).toThrow(
      /HDW_JWT_SECRET must be at least 32 characters long$/,
    );
  });

  it('reads hdw.config.json under the environment, which wins', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-config-'));
    try {
      await writeFile(path.join(dir, 'hdw.config.json'), JSON.stringify({ port: 5000, inbox: 'drop' }));
      expect(loadConfig({}, dir)).toMatchObject({ HDW_PORT: 5000, HDW_INBOX: path.join(dir, 'drop') });
      expect(loadConfig({ HDW_PORT: '6000' }, dir).HDW_PORT).toBe(6000);
      await writeFile(path.join(dir, 'hdw.config.json'), JSON.stringify({ prot: 5000 }));
      expect(() => loadConfig({}, dir)).toThrow(/unknown key "prot"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes the ingest split threshold from HDW_INGEST_SPLIT_BYTES or ingestSplitBytes, 32 MB by default', async () => {
    expect(loadConfig({}, '/tmp').HDW_INGEST_SPLIT_BYTES).toBe(32 << 20);
    expect(loadConfig({ HDW_INGEST_SPLIT_BYTES: '100000' }, '/tmp').HDW_INGEST_SPLIT_BYTES).toBe(100_000);
    expect(() => loadConfig({ HDW_INGEST_SPLIT_BYTES: 'big' }, '/tmp')).toThrow(
      /HDW_INGEST_SPLIT_BYTES must be a whole number of bytes, at least 1 \(got "big"\)/,
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-config-'));
    try {
      await writeFile(path.join(dir, 'hdw.config.json'), JSON.stringify({ ingestSplitBytes: 1 << 20 }));
      expect(loadConfig({}, dir).HDW_INGEST_SPLIT_BYTES).toBe(1 << 20);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('source databases (HDW_DATABASE_SOURCES / databaseSources)', () => {
    const good = {
      source: 'his.outpatient_visits',
      hospitalCode: 'H32090200001',
      connectionString: 'postgres://hdw_reader:s3cret-pw@his-db:5432/his',
      relation: 'his_outpatient_visits_v',
      watermarkColumn: 'updated_at',
    };
    const withSources = (value: unknown) =>
      loadConfig({ HDW_DATABASE_SOURCES: typeof value === 'string' ? value : JSON.stringify(value) }, '/tmp');
    const errorOf = (attempt: () => unknown): string => {
      try {
        attempt();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };

    it('is optional', () => {
      expect(loadConfig({}, '/tmp').HDW_DATABASE_SOURCES).toBeUndefined();
    });

    it('accepts a good entry, from the environment as JSON text or from hdw.config.json', async () => {
      const entry = { ...good, initialWatermark: '2025-01-01 00:00:00' };
      expect(withSources([entry]).HDW_DATABASE_SOURCES).toEqual([entry]);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-config-'));
      try {
        await writeFile(path.join(dir, 'hdw.config.json'), JSON.stringify({ databaseSources: [good] }));
        expect(loadConfig({}, dir).HDW_DATABASE_SOURCES).toEqual([good]);
        // the environment wins
        expect(
          loadConfig({ HDW_DATABASE_SOURCES: JSON.stringify([entry]) }, dir).HDW_DATABASE_SOURCES,
        ).toEqual([entry]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('names the entry and field of a bad hospital code, in one line', () => {
      const message = errorOf(() => withSources([good, { ...good, hospitalCode: 'H3209' }]));
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toBe(
        'Configuration error: HDW_DATABASE_SOURCES[1].hospitalCode must look like H32090200001 (got "H3209")',
      );
    });

    it('rejects a connection string that is not a postgres:// URL, without printing its password', () => {
      const mysql = errorOf(() =>
        withSources([{ ...good, connectionString: 'mysql://hdw_reader:s3cret-pw@his-db/his' }]),
      );
      expect(mysql).toMatch(
        /HDW_DATABASE_SOURCES\[0\]\.connectionString must be a postgres:\/\/ or postgresql:\/\/ connection URL/,
      );
      expect(mysql).toContain('mysql://hdw_reader:***@his-db/his');
      const broken = errorOf(() =>
        withSources([{ ...good, connectionString: 'postgres://hdw_reader:s3cret-pw@[his-db/his' }]),
      );
      expect(broken).toMatch(/HDW_DATABASE_SOURCES\[0\]\.connectionString must be a postgres:\/\//);
      for (const message of [mysql, broken]) expect(message).not.toContain('s3cret-pw');
    });

    it('says when the environment variable is not valid JSON, without echoing it', () => {
      const message = errorOf(() => withSources(`[{"connectionString": "postgres://u:s3cret-pw@h/d",}]`));
      expect(message).toMatch(/^Configuration error: HDW_DATABASE_SOURCES is not valid JSON/);
      expect(message).not.toContain('s3cret-pw');
    });

    it('rejects a malformed source id, a missing field, an unknown key, a non-array and a repeated pair', () => {
      expect(errorOf(() => withSources([{ ...good, source: 'outpatient visits' }]))).toMatch(
        /HDW_DATABASE_SOURCES\[0\]\.source must be a source id like his\.outpatient_visits/,
      );
      const { watermarkColumn: _omitted, ...noWatermark } = good;
      expect(errorOf(() => withSources([noWatermark]))).toMatch(
        /HDW_DATABASE_SOURCES\[0\]\.watermarkColumn must be a column name$/,
      );
      expect(errorOf(() => withSources([{ ...good, watermark: 'updated_at' }]))).toMatch(
        /HDW_DATABASE_SOURCES\[0\] has an unknown key "watermark"/,
      );
      expect(errorOf(() => withSources({ ...good }))).toMatch(/HDW_DATABASE_SOURCES must be a JSON array/);
      expect(errorOf(() => withSources([good, good]))).toMatch(
        /HDW_DATABASE_SOURCES\[1\] reads his\.outpatient_visits for H32090200001 again/,
      );
    });

    it('masks passwords in connection strings', () => {
      expect(maskConnectionStrings('postgres://user:pw@host:5432/db')).toBe(
        'postgres://user:***@host:5432/db',
      );
      expect(maskConnectionStrings('postgresql://user:p@ss@host/db')).toBe('postgresql://user:***@host/db');
      expect(maskConnectionStrings('postgres://user@host/db?password=pw&sslmode=require')).toBe(
        'postgres://user@host/db?password=***&sslmode=require',
      );
      expect(maskConnectionStrings('postgres://host/db')).toBe('postgres://host/db');
    });
  });

  describe('sharing policy and alliance', () => {
    it("defaults to today's policy and the alliance of hdw token", () => {
      const config = loadConfig({}, '/tmp');
      expect(sharingPolicyOf(config)).toEqual(defaultSharingPolicy);
      expect(config.HDW_ALLIANCE_ID).toBe('YH01');
    });

    it('reads the policy from the environment (a list or JSON) and hdw.config.json', async () => {
      expect(
        sharingPolicyOf(loadConfig({ HDW_MIN_CELL_CASES: '25', HDW_SHARED_VIEWS: '[]' }, '/tmp')),
      ).toEqual({
        sharedViews: [],
        minCellCases: 25,
        minPeerHospitals: 3,
      });
      expect(loadConfig({ HDW_SHARED_VIEWS: 'alliance_charge_benchmark' }, '/tmp').HDW_SHARED_VIEWS).toEqual([
        'alliance_charge_benchmark',
      ]);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-config-'));
      try {
        await writeFile(
          path.join(dir, 'hdw.config.json'),
          JSON.stringify({ sharedViews: [], minCellCases: 5, allianceId: 'YH02' }),
        );
        const config = loadConfig({}, dir);
        expect(sharingPolicyOf(config)).toEqual({ sharedViews: [], minCellCases: 5, minPeerHospitals: 3 });
        expect(config.HDW_ALLIANCE_ID).toBe('YH02');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('names a bad policy value', () => {
      expect(() => loadConfig({ HDW_MIN_CELL_CASES: '0' }, '/tmp')).toThrow(
        /HDW_MIN_CELL_CASES must be a whole number between 1 and 1000000 \(got "0"\)/,
      );
      expect(() => loadConfig({ HDW_SHARED_VIEWS: 'department_charge_analysis' }, '/tmp')).toThrow(
        /HDW_SHARED_VIEWS\[0\] must name shareable views \(alliance_charge_benchmark, alliance_drg_benchmark, alliance_unit_cost_benchmark, alliance_fund_benchmark\)/,
      );
    });
  });
});
