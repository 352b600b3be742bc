import { Command, InvalidArgumentError, Option } from 'commander';
import { HdwError } from '../core/errors.ts';
import { commandContext, withWarehouse } from './context.ts';
import { printPipelineSummary } from './commands/print-summary.ts';

// Commands load what they need when they run, so `hdw --help` stays quick (Cube alone takes seconds).
const embedded = () => import('../core/db/embedded-postgres.ts');
const stages = () => import('../pipelines/run-pipeline.ts');

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
}

/** The `hdw` program. Only this boundary turns errors into messages and exit codes. */
export function buildProgram(): Command {
  const program = new Command('hdw')
    .description('Hospital data warehouse for a medical alliance (医联体数据仓库)')
    .showHelpAfterError();

  program
    .command('start')
    .description(
      'quick start: demo data if the inbox is empty, one pipeline run, then serve the API and dashboard',
    )
    .action(async () => (await import('./commands/start.ts')).startAll());

  program
    .command('run')
    .description('one pipeline run: seeds → ingest inbox → build models → model tests → publish to Cube')
    .action(async () => {
      const { runPipeline } = await stages();
      const summary = await withWarehouse((w, ctx) => runPipeline({ pool: w.pool, ...ctx }), {
        lock: 'run',
      });
      printPipelineSummary(summary);
      if (
        !summary.ok ||
        summary.ingest.databaseSources.some((d) => d.outcome === 'failed') ||
        summary.ingest.failed.length > 0
      )
        process.exitCode = 1;
    });

  program
    .command('serve')
    .description('serve the Cube REST/GraphQL API and the dashboard (default port 4000)')
    .action(async () => (await import('./commands/serve.ts')).serve());

  program
    .command('status')
    .description(
      "whether the database answers, each job's last run, the run holding the warehouse, the age of the published marts",
    )
    .action(async () => {
      if (!(await (await import('./commands/status.ts')).statusCommand())) process.exitCode = 1;
    });

  program
    .command('schedule')
    .description('run the pipeline stages on the schedule in pipelines/schedule.ts (Bree)')
    .option('--once', 'run every scheduled job once, in order, then exit')
    .action(async (opts: { once?: boolean }) => (await import('./commands/schedule.ts')).runSchedule(opts));

  program
    .command('seed')
    .description('load the reference seeds (seeds/**/*.csv) into ref.*')
    .action(async () => {
      const { seedStage } = await stages();
      await withWarehouse(async (w, ctx) => void (await seedStage({ pool: w.pool, ...ctx })), {
        lock: 'seed',
      });
    });

  program
    .command('formats')
    .description(
      'check FORMATS.md (the delivery contract) against the source declarations; --write rewrites its generated part',
    )
    .option('--write', 'rewrite the generated part of FORMATS.md from the declarations')
    .action(async (opts: { write?: boolean }) => {
      const { checkFormatsDocument } = await import('./commands/formats.ts');
      await checkFormatsDocument(opts);
    });

  const reference = program.command('reference').description('national reference lists (ICD 医保版 2.0)');
  reference
    .command('load-icd')
    .description(
      'load the national ICD-10 and ICD-9-CM-3 医保版 2.0 lists into the unified dictionaries (ref.diagnoses, ref.procedures)',
    )
    .option(
      '--dir <dir>',
      'folder holding diagnoses_icd10_chs2.csv and procedures_icd9cm3_chs2.csv (default: ../shared/datasets/chs-drg-1.1 beside the checkout)',
    )
    .action(async (opts: { dir?: string }) => {
      const { loadNationalCodeLists } = await import('../pipelines/reference/national-code-lists.ts');
      const { seedStage } = await stages();
      const counts = await withWarehouse(async (w, ctx) => {
        await seedStage({ pool: w.pool, ...ctx });
        return loadNationalCodeLists(w.pool, opts.dir);
      });
      console.log(
        `国家版编码已载入 national lists loaded: ${counts.diagnoses} ICD-10 diagnoses, ${counts.procedures} ICD-9-CM-3 procedures (kept in ref.diagnoses / ref.procedures at every seed load)`,
      );
    });

  program
    .command('ingest')
    .description(
      'load the seeds, then every delivery in the inbox as batches (cleansing rules, quarantine, reconciliation)',
    )
    .action(async () => {
      const { ingestStage, seedStage } = await stages();
      // The rules look codes up in the reference seeds, so they are loaded first (cheap, idempotent).
      const summary = await withWarehouse(
        async (w, ctx) => {
          await seedStage({ pool: w.pool, ...ctx });
          return ingestStage({ pool: w.pool, ...ctx });
        },
        { lock: 'ingest' },
      );
      printPipelineSummary({ ingest: summary });
      // A source database that could not be read, or a delivery whose load failed unexpectedly, is a
      // failure the scheduler or shell should see (the other deliveries were loaded).
      if (summary.databaseSources.some((d) => d.outcome === 'failed') || summary.failed.length > 0)
        process.exitCode = 1;
    });

  const engine = () => import('./commands/engine-commands.ts');
  const selectable = (command: Command) =>
    command
      .option(
        '-s, --select <selectors>',
        'models: name +name name+ tag:x path:models/marts/charges (space-separated union)',
      )
      .option('--target-dir <dir>', 'where run_results.json, manifest.json and docs go (default target/)');

  selectable(program.command('build').description('build the selected models in dependency order'))
    .option('--full-refresh', 'rebuild incremental models from scratch')
    .option('--threads <n>', 'models built at once', integer, 4)
    .action(async (opts) => {
      if (!(await (await engine()).buildCommand(opts))) process.exitCode = 1;
    });
  selectable(
    program
      .command('test')
      .description("run the selected models' tests (data tests, custom SQL tests, unit tests)"),
  )
    .option('--threads <n>', 'tests run at once', integer, 4)
    .action(async (opts) => {
      if (!(await (await engine()).testCommand(opts))) process.exitCode = 1;
    });
  selectable(program.command('ls').description('list the selected models')).action(async (opts) =>
    (await engine()).lsCommand(opts),
  );
  selectable(program.command('compile').description('print the compiled SQL of the selected models'))
    .option('--check', 'also check in the warehouse that each model returns exactly its declared columns')
    .action(async (opts) => (await engine()).compileCommand(opts));
  program
    .command('docs')
    .description(
      'write the docs site (models, columns, tests, SQL, lineage) to <target>/docs; hdw serve shows it at /docs',
    )
    .option('--target-dir <dir>', 'where to write (default target/)')
    .action(async (opts) => void (await (await engine()).docsCommand(opts)));
  program
    .command('dbt')
    .description('dbt interoperability')
    .command('export <dir>')
    .description('write an equivalent dbt project (models with ref/source, schema.yml, sources.yml, seeds)')
    .action(async (dir: string) => (await engine()).dbtExportCommand(dir));

  const steward = () => import('./commands/steward.ts');
  program
    .command('exceptions')
    .description(
      'data-quality exceptions by source, rule, hospital and day; --rule R lists the rows behind a rule (file, line)',
    )
    .option('--rule <id>', 'show the open rows behind one rule')
    .option('--source <source>', 'only this source, e.g. his.charge_lines')
    .option('--hospital <code>', 'only this hospital')
    .option('--limit <n>', 'rows shown with --rule', integer, 50)
    .action(async (opts: { rule?: string; source?: string; hospital?: string; limit: number }) =>
      (await steward()).exceptionsCommand(opts),
    );
  const alerts = () => import('./commands/alerts.ts');
  const alertsCommand = program
    .command('alerts')
    .description('fund supervision alerts (医保基金监管预警): the open ones, or every episode with --all')
    .option('--all', 'closed episodes too')
    .option('--hospital <code>', 'only this hospital')
    .action(async (opts: { all?: boolean; hospital?: string }) => (await alerts()).alertsCommand(opts));
  alertsCommand
    .command('test-webhook')
    .description(
      'send a sample alert to the configured webhooks (of one department), or to --url with --kind',
    )
    .option('--department <name>', 'the responsible department whose webhooks get it')
    .option('--url <url>', 'a webhook not (yet) configured')
    .option('--kind <kind>', 'wecom or dingtalk (with --url)')
    .action(async (opts: { department?: string; url?: string; kind?: string }) =>
      (await alerts()).testWebhookCommand(opts),
    );
  program
    .command('replay')
    .description('re-run quarantined rows after a dictionary fix and reconcile their batches again')
    .option('--rule <id>', 'only rows held by this rule')
    .option('--source <source>', 'only this source')
    .action(async (opts: { rule?: string; source?: string }) => (await steward()).replayCommand(opts));

  program
    .command('source')
    .description('source checks')
    .command('freshness')
    .description(
      "each source's last load per hospital against the freshness declared on it (models/sources); exits 1 on error",
    )
    .action(async () => {
      if (!(await (await import('./commands/source-freshness.ts')).sourceFreshnessCommand()))
        process.exitCode = 1;
    });

  const grant = program
    .command('grant')
    .description('a PostgreSQL login for a BI tool, with the same row security as Cube');
  const runGrant = async (
    kind: 'member' | 'analyst' | 'manager' | 'steward',
    subject: string,
    opts: { name?: string; password?: string },
  ) => (await import('./commands/grant.ts')).grant(kind, subject, opts);
  grant
    .command('member <hospital>')
    .description("login hdw_member_<hospital>: its own hospital's detail, the alliance's shared aggregates")
    .option('--name <role>', 'login name instead of hdw_member_<hospital>')
    .option('--password <password>', 'password to set (default: generated and printed once)')
    .action(async (hospital: string, opts) => runGrant('member', hospital, opts));
  grant
    .command('analyst <name>')
    .description('login hdw_analyst_<name>: every mart, aggregate data-quality figures')
    .option('--password <password>', 'password to set (default: generated and printed once)')
    .action(async (name: string, opts) => runGrant('analyst', name, opts));
  grant
    .command('manager <name>')
    .description(
      "login hdw_manager_<name>: every hospital's aggregates (semantic, shared), no case-level detail",
    )
    .option('--password <password>', 'password to set (default: generated and printed once)')
    .action(async (name: string, opts) => runGrant('manager', name, opts));
  grant
    .command('steward <name>')
    .description('login hdw_steward_<name>: marts plus exception detail and quarantined payloads')
    .option('--password <password>', 'password to set (default: generated and printed once)')
    .action(async (name: string, opts) => runGrant('steward', name, opts));

  program
    .command('revoke <login>')
    .description('drop a PostgreSQL login made by hdw grant')
    .action(async (login: string) => (await import('./commands/grant.ts')).revoke(login));

  const db = program.command('db').description('the embedded PostgreSQL of the data folder');
  db.command('start')
    .description('start the embedded PostgreSQL (created on first use) and leave it running')
    .action(async () => {
      const { config, logger } = commandContext();
      if (config.DATABASE_URL)
        throw new HdwError('E_USAGE', 'DATABASE_URL is set: the embedded server is not used');
      const { url } = await (await embedded()).startEmbedded({ dataDir: config.HDW_DATA_DIR, logger });
      process.stdout.write(`embedded PostgreSQL running: ${redact(url)}\n`);
    });
  db.command('stop')
    .description('stop the embedded PostgreSQL')
    .action(async () => {
      const { config, logger } = commandContext();
      const stopped = await (await embedded()).stopEmbedded(config.HDW_DATA_DIR, logger);
      process.stdout.write(
        stopped ? 'embedded PostgreSQL stopped\n' : 'embedded PostgreSQL was not running\n',
      );
    });
  db.command('status')
    .description('show whether the embedded PostgreSQL exists and runs')
    .action(async () => {
      const { config, logger } = commandContext();
      if (config.DATABASE_URL) {
        process.stdout.write(
          `using DATABASE_URL ${redact(config.DATABASE_URL)}; the embedded server is not used\n`,
        );
        return;
      }
      const status = await (await embedded()).embeddedStatus(config.HDW_DATA_DIR, logger);
      process.stdout.write(
        !status.initialised
          ? `no embedded cluster yet in ${config.HDW_DATA_DIR} (created by the first command that needs it)\n`
          : `${status.running ? 'running' : 'stopped'}: ${redact(status.url!)} (data ${status.pgdata})\n`,
      );
    });

  program
    .command('demo')
    .description('demo data for a ten-hospital alliance and its payers')
    .command('generate')
    .description(
      'write two years (2024–2025) of deliveries of a ten-hospital alliance and its payers, with known defects, planted scenarios and a ground truth, into the inbox',
    )
    .addOption(
      new Option(
        '--size <size>',
        'small (seconds, for tests: the first quarter of each year) or full (≈155,000 stays, ≈10,000,000 charge lines)',
      )
        .choices(['small', 'full'])
        .default('small'),
    )
    .option('--seed <n>', 'random seed: the same seed writes the same bytes', integer, 1)
    .option('--out <dir>', 'folder to write to (default: the inbox)')
    .action(async (opts: { size: 'small' | 'full'; seed: number; out?: string }) => {
      const { config, progress } = commandContext();
      const outDir = opts.out ?? config.HDW_INBOX;
      const { generateDemo } = await import('../pipelines/demo/generate.ts');
      const started = performance.now();
      const summary = await generateDemo({
        size: opts.size,
        seed: opts.seed,
        outDir,
        onProgress: (p) => progress.update(p.phase, p.done, p.total),
      });
      // Complete as written: the next ingest reads them at once (no quiet period to wait).
      const { markComplete } = await import('../pipelines/ingest/inbox-scan.ts');
      await markComplete(outDir, config.HDW_INBOX_QUIET_SECONDS);
      process.stdout.write(
        `demo data written to ${summary.outDir}: ${summary.files} files, ${summary.inpatientCases} inpatient cases, ` +
          `${summary.outpatientVisits} outpatient visits, ${summary.chargeLines} charge lines, ${summary.defects} injected defects, ` +
          `${summary.scenarios} planted scenarios, ${(summary.bytes / 1_048_576).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });

  const report = program.command('report').description('reports a finance department or the 医保办 submits');
  report
    .command('cost')
    .description(
      'the standard cost tables of 公立医院成本核算规范 for one year as one workbook, a sheet per table (totals equal the Cube views)',
    )
    .requiredOption('--year <year>', 'the year', integer)
    .option('--hospital <code>', 'one hospital (default: every hospital of the alliance)')
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .action(async (opts: { year: number; hospital?: string; out: string }) =>
      (await import('./commands/report-cost.ts')).reportCostCommand(opts),
    );
  report
    .command('fund')
    .description(
      'the monthly fund supervision report (医保基金监管月报): indicators against thresholds and the region, open alerts, overspending groups with their top three causes',
    )
    .requiredOption('--month <YYYY-MM>', 'the month')
    .option('--hospital <code>', 'one hospital (default: every hospital of the alliance)')
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .action(async (opts: { month: string; hospital?: string; out: string }) =>
      (await import('./commands/report-fund.ts')).reportFundCommand(opts),
    );

  program
    .command('simulate [scenario]')
    .description(
      "DRG payment what-if (支付模拟): store a scenario (a row of seeds/drg/drg_payment_scenarios), rebuild fct_payment_simulation and print each hospital's current and simulated payment, margin and outliers; Cube view payment_simulation shows it",
    )
    .option('--name <名称>', '方案名称 (default: the changes in words)')
    .option('--base-rate-factor <f>', 'base rate (费率) multiplied by f, e.g. 0.97 for −3 %')
    .option('--cmi-shift <d>', "added to every case's RW, e.g. 0.1 for CMI +0.1")
    .option('--level <level>', 'hospital level (3, 2, 1) whose coefficient --level-coefficient sets')
    .option('--level-coefficient <c>', 'the new level coefficient (级别系数) of --level')
    .option('--drg <code>', 'DRG group whose RW --drg-weight sets')
    .option('--drg-weight <rw>', 'the new RW of --drg')
    .option(
      '--low-outlier-ratio <r>',
      'new low outlier threshold (低倍率界值), a multiple of the standard, all groups',
    )
    .option(
      '--high-outlier-ratio <r>',
      'new high outlier threshold (高倍率界值), a multiple of the standard, all groups',
    )
    .option('--list', 'list the scenarios (seed and hdw simulate) with their payment change')
    .option('--remove <scenario>', 'remove a scenario stored by hdw simulate and rebuild')
    .action(async (scenario: string | undefined, opts) =>
      (await import('./commands/simulate.ts')).simulateCommand(scenario, opts),
    );

  const violations = program
    .command('violations')
    .description(
      'fund-violation flags (医保违规疑点, fct_fund_violation_flags) and their review; reviews are kept in ops.fund_violation_reviews and survive rebuilds',
    );
  violations
    .command('list')
    .description('list the flags with their evidence and review status')
    .option('--hospital <code>', 'one hospital')
    .option('--rule <rule>', 'one rule (rule id, e.g. FV01, or its code, e.g. split_admission)')
    .option('--status <status>', 'pending, confirmed or dismissed')
    .option('--limit <n>', 'at most n rows (default 200)', integer)
    .action(async (opts: { hospital?: string; rule?: string; status?: string; limit?: number }) =>
      (await import('./commands/violations.ts')).violationsListCommand(opts),
    );
  violations
    .command('review <flag-key>')
    .description(
      'set the review of a flag (confirmed or dismissed, with a note) and rebuild fct_fund_violation_flags; for reviewers (stewards)',
    )
    .addOption(
      new Option('--status <status>', 'the conclusion')
        .choices(['confirmed', 'dismissed'])
        .makeOptionMandatory(),
    )
    .option('--note <text>', 'why (复核说明)')
    .option('--reviewer <name>', 'who reviewed (default: the operating-system user)')
    .action(async (flagKey: string, opts: { status: string; note?: string; reviewer?: string }) =>
      (await import('./commands/violations.ts')).violationsReviewCommand(flagKey, opts),
    );

  program
    .command('group')
    .description(
      'CHS-DRG grouping (预分组) of one case (--diagnoses …) or a CSV of cases (--file), with the reasons; --what-if lists the single secondary diagnoses or procedures, removed or added, that change the group. Needs no database',
    )
    .option('--gender <g>', 'gender: 1 (男) or 2 (女)')
    .option('--age <years>', 'age in years')
    .option('--age-days <days>', 'age in days (newborns)')
    .option('--weight <grams>', 'birth weight in grams')
    .option('--diagnoses <codes>', 'diagnoses, principal first, |- or comma-separated (ICD-10 医保版 2.0)')
    .option('--procedures <codes>', 'procedures, main first, |- or comma-separated (ICD-9-CM-3 医保版 2.0)')
    .option(
      '--file <cases.csv>',
      'cases with the conformance columns (case_id, gender, age_years, age_days, birth_weight_g, diagnoses, procedures)',
    )
    .option('--out <results.csv>', 'with --file: write the results here (default: standard output)')
    .option('--what-if', 'one case: the single removals and additions that change its group')
    .option('--limit <n>', 'with --what-if: codes shown per outcome', integer, 10)
    .option(
      '--rules <path>',
      'a rule set: a folder of rules.json, cc_mcc.csv, principal_exclusions.csv, valid_procedures.csv, or a packed .json.gz (default: the national CHS-DRG 1.1 rules shipped)',
    )
    .action(async (opts) => (await import('./commands/group.ts')).groupCommand(opts));

  const user = () => import('./commands/user.ts');
  const users = program
    .command('user')
    .description('web application users (sign-in names, roles, member hospitals); passwords stored as scrypt hashes');
  users
    .command('add <name>')
    .description('add a user; the password comes from --password-stdin, a prompt, or is generated and printed once')
    .addOption(
      new Option('--role <role>', 'what the user may see')
        .choices(['analyst', 'manager', 'steward', 'member'])
        .makeOptionMandatory(),
    )
    .option('--hospital <code>', 'the hospital (required for --role member)')
    .option('--display <名>', 'the name shown in the application (default: the user name)')
    .option('--password-stdin', "read the password from standard input's first line")
    .action(
      async (
        name: string,
        opts: { role: string; hospital?: string; display?: string; passwordStdin?: boolean },
      ) => (await user()).userAddCommand(name, opts),
    );
  users
    .command('remove <name>')
    .description('remove a user (its session tokens stop working at once)')
    .action(async (name: string) => (await user()).userRemoveCommand(name));
  users
    .command('passwd <name>')
    .description("set a user's password (from --password-stdin, a prompt, or generated and printed once)")
    .option('--password-stdin', "read the password from standard input's first line")
    .action(async (name: string, opts: { passwordStdin?: boolean }) =>
      (await user()).userPasswdCommand(name, opts),
    );
  users
    .command('list')
    .description('list the users (never their password hashes)')
    .action(async () => (await user()).userListCommand());

  program
    .command('audit')
    .description(
      'the access audit trail (sign-ins, API queries, downloads, actions), newest first; kept HDW_AUDIT_RETENTION_DAYS days',
    )
    .option('--user <name>', 'one user')
    .option('--since <date>', 'from this date or time on, e.g. 2025-03-01')
    .option('--limit <n>', 'at most n rows', integer, 100)
    .action(async (opts: { user?: string; since?: string; limit: number }) =>
      (await import('./commands/audit.ts')).auditCommand(opts),
    );

  program
    .command('token')
    .description('print a signed API token (JWT) for local use')
    .addOption(
      new Option('--role <role>', 'who is asking')
        .choices(['analyst', 'manager', 'steward', 'member'])
        .makeOptionMandatory(),
    )
    .option('--hospital <code>', 'hospital code (required for --role member)')
    .option('--alliance <id>', 'alliance id (default: HDW_ALLIANCE_ID)')
    .option('--ttl <hours>', 'hours until the token expires', integer, 8)
    .action(
      async (opts: {
        role: 'analyst' | 'manager' | 'steward' | 'member';
        hospital?: string;
        alliance?: string;
        ttl: number;
      }) => {
        if (opts.role === 'member' && !opts.hospital)
          throw new HdwError('E_USAGE', '--role member needs --hospital <code>');
        const { config } = commandContext();
        const { resolveJwtSecret } = await import('../core/config/jwt-secret.ts');
        const { signToken } = await import('../cube/security/token.ts');
        const secret = await resolveJwtSecret(config);
        const token = await signToken(
          {
            role: opts.role,
            hospital_code: opts.hospital,
            alliance_id: opts.alliance ?? config.HDW_ALLIANCE_ID,
          },
          secret,
          opts.ttl * 3600,
        );
        process.stdout.write(`${token}\n`);
      },
    );

  return program;
}

/** Exit code of a run refused because another holds the warehouse's run lock (sysexits EX_TEMPFAIL). */
export const EXIT_LOCKED = 75;

/**
 * Entry point: runs the program and maps errors to one clear line and an exit code: 75 when
 * another run holds the warehouse (try again later), 1 for everything else.
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof HdwError) {
      process.stderr.write(`hdw: ${error.message}\n`);
    } else {
      process.stderr.write(`hdw: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exit(error instanceof HdwError && error.code === 'E_LOCKED' ? EXIT_LOCKED : 1);
  }
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@');
}
