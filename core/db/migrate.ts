import { Migrator, type Migration } from 'kysely';
import { DatabaseError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { Db } from './database.ts';
import * as warehouse from './migrations/0001-warehouse.ts';
import * as warehouseLogins from './migrations/0003-warehouse-logins.ts';
import * as ingestQuality from './migrations/0004-ingest-quality.ts';
import * as engineState from './migrations/0005-engine-state.ts';
import * as dataQualityModels from './migrations/0006-data-quality-models.ts';
import * as managerLogins from './migrations/0007-manager-logins.ts';
import * as inboxDeliveries from './migrations/0008-inbox-deliveries.ts';
import * as runLock from './migrations/0009-run-lock.ts';
import * as nationalCodeLists from './migrations/0011-national-code-lists.ts';
import * as paymentScenarios from './migrations/0012-payment-scenarios.ts';
import * as keySalt from './migrations/0013-key-salt.ts';
import * as fundViolationReviews from './migrations/0014-fund-violation-reviews.ts';
import * as fundAlertNotifications from './migrations/0015-fund-alert-notifications.ts';
import * as fundAlertNotices from './migrations/0016-fund-alert-notices.ts';
import * as appUsers from './migrations/0017-app-users.ts';
import * as accessAudit from './migrations/0018-access-audit.ts';
import * as casePregroups from './migrations/0019-case-pregroups.ts';
import * as inStayPregroups from './migrations/0020-in-stay-pregroups.ts';

/** Migrations in order; names sort lexically, so keep the numeric prefix. */
const migrations: Record<string, Migration> = {
  '0001-warehouse': warehouse,
  '0003-warehouse-logins': warehouseLogins,
  '0004-ingest-quality': ingestQuality,
  '0005-engine-state': engineState,
  '0006-data-quality-models': dataQualityModels,
  '0007-manager-logins': managerLogins,
  '0008-inbox-deliveries': inboxDeliveries,
  '0009-run-lock': runLock,
  '0011-national-code-lists': nationalCodeLists,
  '0012-payment-scenarios': paymentScenarios,
  '0013-key-salt': keySalt,
  '0014-fund-violation-reviews': fundViolationReviews,
  '0015-fund-alert-notifications': fundAlertNotifications,
  '0016-fund-alert-notices': fundAlertNotices,
  '0017-app-users': appUsers,
  '0018-access-audit': accessAudit,
  '0019-case-pregroups': casePregroups,
  '0020-in-stay-pregroups': inStayPregroups,
};

/**
 * Brings the warehouse schema up to date. Kysely's migrator takes an advisory lock, so two
 * commands starting together do not race.
 */
export async function migrateToLatest(db: Db, logger: Logger): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: 'public',
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') logger.info({ migration: result.migrationName }, 'migration applied');
    if (result.status === 'Error') logger.error({ migration: result.migrationName }, 'migration failed');
  }
  if (error) throw new DatabaseError(`migration failed: ${(error as Error).message}`, { cause: error });
}
