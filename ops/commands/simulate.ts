import type pg from 'pg';
import { HdwError } from '../../core/errors.ts';
import { buildStage, loadProject, publishStage, type StageContext } from '../../pipelines/run-pipeline.ts';
import { seedRowValues } from '../../pipelines/seeds/load-seeds.ts';
import { schema } from '../../seeds/drg/drg_payment_scenarios.schema.ts';
import { withWarehouse } from '../context.ts';

/**
 * `hdw simulate`: a DRG payment what-if without SQL. A scenario is a row of the seed
 * drg_payment_scenarios (validated against its schema) kept in ops.payment_scenarios, which
 * stg_ops__payment_scenarios reads beside the seed's rows; fct_payment_simulation is rebuilt and
 * published at once, so the Cube view payment_simulation shows it too.
 */

/** The changes a scenario makes, as given on the command line (text, parsed by the seed's schema). */
export interface ScenarioChanges {
  /** 方案名称; default: the changes in words. */
  readonly name?: string;
  /** 费率乘数, e.g. 0.97 for the base rate down 3 % (default 1). */
  readonly baseRateFactor?: string;
  /** Added to every case's RW (0.1: CMI up by 0.1; default 0). */
  readonly cmiShift?: string;
  /** A hospital level ('3', '2', '1') and its new level coefficient, together. */
  readonly level?: string;
  readonly levelCoefficient?: string;
  /** A DRG group and its new RW, together. */
  readonly drg?: string;
  readonly drgWeight?: string;
  /** New outlier thresholds (multiples of the payment standard) for every group. */
  readonly lowOutlierRatio?: string;
  readonly highOutlierRatio?: string;
}

/** The rebuild: the scenarios' staging view and the simulation mart, as `hdw build -s` would. */
const rebuildSelection = 'stg_ops__payment_scenarios fct_payment_simulation';
const codePattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** The seed row a scenario is, by column; throws E_USAGE/E_SEED naming what is wrong. */
export function scenarioRow(code: string, changes: ScenarioChanges): Record<string, string | null> {
  if (!codePattern.test(code))
    throw new HdwError(
      'E_USAGE',
      `方案编码 scenario code "${code}" must be 1–64 letters, digits, _ . or - (the name may be Chinese: --name)`,
    );
  const paired = [
    ['--level', changes.level, '--level-coefficient', changes.levelCoefficient],
    ['--drg', changes.drg, '--drg-weight', changes.drgWeight],
  ] as const;
  for (const [a, va, b, vb] of paired)
    if ((va === undefined) !== (vb === undefined)) throw new HdwError('E_USAGE', `${a} and ${b} go together`);
  const changed = [
    changes.baseRateFactor,
    changes.cmiShift,
    changes.level,
    changes.drg,
    changes.lowOutlierRatio,
    changes.highOutlierRatio,
  ].some((value) => value !== undefined);
  if (!changed)
    throw new HdwError(
      'E_USAGE',
      `hdw simulate ${code}: the scenario changes nothing; give at least one change (hdw simulate --help)`,
    );
  const raw: Record<string, string | undefined> = {
    scenario_code: code,
    scenario_name: changes.name ?? describeChanges(changes),
    base_rate_factor: changes.baseRateFactor ?? '1',
    weight_delta: changes.cmiShift ?? '0',
    hospital_level: changes.level,
    level_coefficient: changes.levelCoefficient,
    drg_code: changes.drg,
    drg_weight: changes.drgWeight,
    low_outlier_ratio: changes.lowOutlierRatio,
    high_outlier_ratio: changes.highOutlierRatio,
  };
  const values = seedRowValues(schema, raw, `hdw simulate ${code}`);
  const row = Object.fromEntries(schema.columns.map((c, i) => [c.name, values[i] ?? null]));
  for (const column of [
    'base_rate_factor',
    'level_coefficient',
    'drg_weight',
    'low_outlier_ratio',
    'high_outlier_ratio',
  ]) {
    if (row[column] !== null && row[column] !== undefined && !(Number(row[column]) > 0))
      throw new HdwError(
        'E_USAGE',
        `hdw simulate ${code}: ${column} must be greater than 0 (got ${row[column]})`,
      );
  }
  return row;
}

const levelNames: Readonly<Record<string, string>> = { '3': '三级', '2': '二级', '1': '一级' };

function describeChanges(c: ScenarioChanges): string {
  return [
    c.baseRateFactor !== undefined && `费率 ×${c.baseRateFactor}`,
    c.cmiShift !== undefined && `每例权重 ${Number(c.cmiShift) >= 0 ? '+' : ''}${c.cmiShift}`,
    c.level !== undefined && `${levelNames[c.level] ?? `${c.level}级`}医院级别系数 ${c.levelCoefficient}`,
    c.drg !== undefined && `病组 ${c.drg} 权重 ${c.drgWeight}`,
    c.lowOutlierRatio !== undefined && `低倍率界值 ${c.lowOutlierRatio}`,
    c.highOutlierRatio !== undefined && `高倍率界值 ${c.highOutlierRatio}`,
  ]
    .filter(Boolean)
    .join('；');
}

/** Puts the ops rows of a scenario back as they were (after a rebuild that failed). */
type Undo = () => Promise<void>;

async function storedRow(pool: pg.Pool, code: string): Promise<Undo> {
  const { rows } = await pool.query<{ scenario: unknown; created_by: string; created_at: Date }>(
    'select scenario, created_by, created_at from ops.payment_scenarios where scenario_code = $1',
    [code],
  );
  const before = rows[0];
  return async () => {
    await pool.query('delete from ops.payment_scenarios where scenario_code = $1', [code]);
    if (before)
      await pool.query(
        'insert into ops.payment_scenarios (scenario_code, scenario, created_by, created_at) values ($1, $2, $3, $4)',
        [code, JSON.stringify(before.scenario), before.created_by, before.created_at],
      );
  };
}

/** Stores (or replaces) a scenario of `hdw simulate`; one of the seed's codes is refused. */
export async function saveScenario(pool: pg.Pool, code: string, changes: ScenarioChanges): Promise<Undo> {
  const row = scenarioRow(code, changes);
  const seeded = await pool.query('select 1 from ref.drg_payment_scenarios where scenario_code = $1', [code]);
  if (seeded.rowCount)
    throw new HdwError(
      'E_USAGE',
      `方案 ${code} 已在种子 seeds/drg/drg_payment_scenarios.csv 中定义 (a seed scenario): choose another code`,
    );
  const undo = await storedRow(pool, code);
  await pool.query(
    `insert into ops.payment_scenarios (scenario_code, scenario) values ($1, $2)
     on conflict (scenario_code) do update set scenario = excluded.scenario, created_by = session_user, created_at = now()`,
    [code, JSON.stringify(row)],
  );
  return undo;
}

/** Removes a scenario of `hdw simulate`; a seed scenario or an unknown code is an error. */
export async function removeScenario(pool: pg.Pool, code: string): Promise<Undo> {
  const undo = await storedRow(pool, code);
  const { rowCount } = await pool.query('delete from ops.payment_scenarios where scenario_code = $1', [code]);
  if (rowCount) return undo;
  const seeded = await pool.query('select 1 from ref.drg_payment_scenarios where scenario_code = $1', [code]);
  throw new HdwError(
    'E_USAGE',
    seeded.rowCount
      ? `方案 ${code} 来自种子 (a seed scenario): remove its row from seeds/drg/drg_payment_scenarios.csv instead`
      : `没有方案 ${code} (no such scenario; hdw simulate --list shows them)`,
  );
}

/** Rebuilds the scenarios' view and fct_payment_simulation, and publishes them if their tests pass. */
export async function rebuildSimulation(ctx: StageContext): Promise<void> {
  const build = await buildStage(ctx, await loadProject(), { select: rebuildSelection });
  if (build.publication !== 'published' || build.models.some((m) => m.status !== 'success')) {
    const failed = build.models.filter((m) => m.status !== 'success').map((m) => `${m.model}: ${m.message}`);
    throw new HdwError(
      'E_BUILD',
      `fct_payment_simulation was not rebuilt: ${[...failed, ...build.blockedBy].join('; ') || build.publication}`,
    );
  }
  await publishStage(ctx);
}

/** One hospital and year of a scenario: current and simulated figures. */
export interface ScenarioHospitalRow {
  readonly year: number;
  readonly hospital_code: string;
  readonly hospital_name: string;
  readonly case_count: number;
  readonly current_payment: string;
  readonly simulated_payment: string;
  readonly current_margin: string;
  readonly simulated_margin: string;
  readonly current_high_outliers: number;
  readonly simulated_high_outliers: number;
  readonly current_low_outliers: number;
  readonly simulated_low_outliers: number;
}

/** A scenario's figures per year and hospital, from the published mart. */
export async function scenarioByHospital(pool: pg.Pool, code: string): Promise<ScenarioHospitalRow[]> {
  const { rows } = await pool.query<ScenarioHospitalRow>(
    `select year, hospital_code, min(hospital_name) as hospital_name, sum(case_count)::int as case_count,
       sum(current_payment)::text as current_payment, sum(simulated_payment)::text as simulated_payment,
       sum(current_margin)::text as current_margin, sum(simulated_margin)::text as simulated_margin,
       sum(current_high_outliers)::int as current_high_outliers, sum(simulated_high_outliers)::int as simulated_high_outliers,
       sum(current_low_outliers)::int as current_low_outliers, sum(simulated_low_outliers)::int as simulated_low_outliers
     from marts.fct_payment_simulation where scenario_code = $1
     group by year, hospital_code order by year, hospital_code`,
    [code],
  );
  return rows;
}

const yuan = (value: number) =>
  value.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const rate = (from: number, to: number) => (from === 0 ? '—' : `${(((to - from) / from) * 100).toFixed(2)}%`);

/** The figures as a Chinese table: per year and hospital, then the year's total. */
export function formatScenario(code: string, name: string, rows: readonly ScenarioHospitalRow[]): string {
  const header = [
    '医院',
    '病例数',
    '现行支付',
    '方案支付',
    '支付变化率',
    '现行结余',
    '方案结余',
    '高倍率 现行→方案',
    '低倍率 现行→方案',
  ];
  const line = (label: string, r: Omit<ScenarioHospitalRow, 'year' | 'hospital_code' | 'hospital_name'>) => {
    const [cur, sim] = [Number(r.current_payment), Number(r.simulated_payment)];
    return [
      label,
      String(r.case_count),
      yuan(cur),
      yuan(sim),
      rate(cur, sim),
      yuan(Number(r.current_margin)),
      yuan(Number(r.simulated_margin)),
      `${r.current_high_outliers}→${r.simulated_high_outliers}`,
      `${r.current_low_outliers}→${r.simulated_low_outliers}`,
    ].join('\t');
  };
  const out = [`支付模拟方案 ${code}：${name}`];
  if (rows.length === 0) out.push('（没有按 DRG 结算、已入组且有支付标准的病例）');
  for (const year of [...new Set(rows.map((r) => r.year))]) {
    const ofYear = rows.filter((r) => r.year === year);
    out.push('', `${year} 年`, header.join('\t'));
    for (const r of ofYear) out.push(line(r.hospital_name ?? r.hospital_code, r));
    const sum = (key: keyof ScenarioHospitalRow) => ofYear.reduce((a, r) => a + Number(r[key]), 0);
    const sumText = (key: keyof ScenarioHospitalRow) => (Math.round(sum(key) * 100) / 100).toFixed(2);
    out.push(
      line('合计', {
        case_count: sum('case_count'),
        current_payment: sumText('current_payment'),
        simulated_payment: sumText('simulated_payment'),
        current_margin: sumText('current_margin'),
        simulated_margin: sumText('simulated_margin'),
        current_high_outliers: sum('current_high_outliers'),
        simulated_high_outliers: sum('simulated_high_outliers'),
        current_low_outliers: sum('current_low_outliers'),
        simulated_low_outliers: sum('simulated_low_outliers'),
      }),
    );
  }
  out.push(
    '',
    '结余为医保视角：支付 − 医疗费总额（元）。Cube 视图 payment_simulation 按方案、医院、病组展示同样的数字。',
  );
  return `${out.join('\n')}\n`;
}

/** Every scenario (seed and `hdw simulate`) with its total payment change, as lines. */
export async function listScenarios(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{
    scenario_code: string;
    scenario_name: string;
    scenario_origin: string;
    current_payment: string | null;
    simulated_payment: string | null;
  }>(
    `select s.scenario_code, s.scenario_name, s.scenario_origin,
       sum(m.current_payment)::text as current_payment, sum(m.simulated_payment)::text as simulated_payment
     from staging.stg_ops__payment_scenarios s
     left join marts.fct_payment_simulation m using (scenario_code)
     group by 1, 2, 3 order by s.scenario_origin, s.scenario_code`,
  );
  const lines = rows.map((r) => {
    const origin = r.scenario_origin === 'seed' ? '种子' : 'hdw simulate';
    const change =
      r.current_payment === null
        ? '尚未计算（下次构建）'
        : `支付变化 ${rate(Number(r.current_payment), Number(r.simulated_payment))}`;
    return `${r.scenario_code}\t${r.scenario_name}\t${origin}\t${change}`;
  });
  return `${['方案编码\t方案名称\t来源\t全部年度合计', ...lines].join('\n')}\n`;
}

export interface SimulateOptions extends ScenarioChanges {
  readonly list?: boolean;
  readonly remove?: string;
}

/** The command: store or remove a scenario, rebuild the simulation, print the result; or list. */
export async function simulateCommand(
  code: string | undefined,
  opts: SimulateOptions,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  if (opts.list) {
    write(await withWarehouse((w) => listScenarios(w.pool)));
    return;
  }
  const removing = opts.remove;
  if (removing === undefined && code === undefined)
    throw new HdwError('E_USAGE', 'hdw simulate <scenario> [changes], --list or --remove <scenario>');
  await withWarehouse(
    async (w, ctx) => {
      const undo =
        removing !== undefined
          ? await removeScenario(w.pool, removing)
          : await saveScenario(w.pool, code!, opts);
      // A scenario the mart cannot be built with is not kept: the next pipeline run would fail on it.
      await rebuildSimulation({ pool: w.pool, ...ctx }).catch(async (error: unknown) => {
        await undo();
        throw error;
      });
      if (removing !== undefined) {
        write(`已删除方案 ${removing}，支付模拟已重算 (scenario removed, fct_payment_simulation rebuilt)\n`);
        return;
      }
      const { rows } = await w.pool.query<{ scenario_name: string }>(
        'select scenario_name from staging.stg_ops__payment_scenarios where scenario_code = $1',
        [code],
      );
      write(formatScenario(code!, rows[0]?.scenario_name ?? code!, await scenarioByHospital(w.pool, code!)));
    },
    { lock: 'simulate' },
  );
}
