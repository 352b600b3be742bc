import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { CompiledModel, CompiledProject } from './compile-models.ts';

/**
 * What a build does to a model whose rows persist between runs (an incremental model):
 * - `full`: rebuilt from scratch, for `reason` (first build, --full-refresh, or an input that is
 *   not batch-keyed changed: "ref.charge_categories changed");
 * - `delta`: exactly the batches in `changedBatches` are re-merged (their rows deleted, the rows
 *   of those still loaded inserted); an empty list means nothing changed.
 */
export interface ModelPlan {
  readonly mode: 'full' | 'delta';
  readonly reason?: string;
  readonly changedBatches: readonly number[];
  /** The versions of the inputs that are not batch-keyed, as read before the build. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Batch versions the published rows will reflect: all of them (full) or the changed ones (delta). */
  readonly batches: readonly { readonly batchId: number; readonly changeSeq: number | null }[];
}

/** What a model reads besides the batch-keyed sources: other sources, seeds, upstream tables, its SQL. */
interface ModelInputs {
  readonly sources: readonly string[];
  readonly seeds: readonly string[];
  readonly models: readonly string[];
  readonly sqlHash: string;
}

/**
 * The inputs of a model, looking through the views and ephemeral models it reads (they hold no
 * rows of their own): sources and seeds they read, and the table models they stop at.
 */
function inputsOf(project: CompiledProject, model: CompiledModel): ModelInputs {
  const byName = new Map(project.models.map((m) => [m.definition.name, m]));
  const sources = new Set<string>();
  const seeds = new Set<string>();
  const models = new Set<string>();
  const hash = createHash('sha256').update(model.sql);
  const seen = new Set<string>();
  const visit = (m: CompiledModel) => {
    for (const s of m.sources) sources.add(s);
    for (const ref of m.refs) {
      const parent = byName.get(ref);
      if (!parent) {
        seeds.add(ref);
        continue;
      }
      const { materialized } = parent.definition;
      if (materialized === 'table' || materialized === 'incremental') models.add(ref);
      else if (!seen.has(ref)) {
        seen.add(ref);
        hash.update(parent.sql);
        visit(parent);
      }
    }
  };
  visit(model);
  const batchSources = new Set(model.definition.incremental?.batchSources ?? []);
  return {
    sources: [...sources].filter((s) => !batchSources.has(s)).sort(),
    seeds: [...seeds].sort(),
    models: [...models].sort(),
    sqlHash: hash.digest('hex'),
  };
}

/**
 * Decides how to build an incremental model, from the ledger: the batch versions it last
 * consumed (ops.model_batches) against ops.batches, and its other inputs' versions
 * (ops.model_state) against theirs now. `changedUpstream` names upstream
 * models whose rows this run changes.
 */
export async function planIncremental(
  db: pg.Pool | pg.PoolClient,
  project: CompiledProject,
  model: CompiledModel,
  options: {
    readonly published: boolean;
    readonly fullRefresh?: boolean;
    readonly changedUpstream: ReadonlySet<string>;
  },
): Promise<ModelPlan> {
  const name = model.definition.name;
  const batchSources = model.definition.incremental?.batchSources ?? [];
  const inputs = await inputVersions(db, inputsOf(project, model));
  const { rows: state } = await db.query<{ inputs: Record<string, string> }>(
    `select inputs from ops.model_state where model = $1`,
    [name],
  );
  const previous = state[0]?.inputs;
  const changed = previous
    ? [...new Set([...Object.keys(previous), ...Object.keys(inputs)])].filter(
        (key) =>
          previous[key] !== inputs[key] ||
          (key.startsWith('model:') && options.changedUpstream.has(key.slice(6))),
      )
    : [];
  const reason = options.fullRefresh
    ? '--full-refresh'
    : !options.published
      ? 'first build'
      : !previous
        ? 'no change ledger yet'
        : changed.length > 0
          ? `${changed.map(describeInput).join(', ')} changed`
          : undefined;
  if (reason) {
    const { rows } = await db.query<{ batch_id: string; change_seq: string }>(
      `select batch_id, change_seq from ops.batches where source = any ($1::text[])`,
      [batchSources],
    );
    return {
      mode: 'full',
      reason,
      changedBatches: [],
      inputs,
      batches: rows.map((r) => ({ batchId: Number(r.batch_id), changeSeq: Number(r.change_seq) })),
    };
  }
  const { rows } = await db.query<{ batch_id: string; change_seq: string | null }>(
    `select coalesce(b.batch_id, m.batch_id) as batch_id, b.change_seq
       from (select batch_id, change_seq from ops.batches where source = any ($2::text[])) b
       full join (select batch_id, change_seq from ops.model_batches where model = $1) m on m.batch_id = b.batch_id
      where b.change_seq is distinct from m.change_seq
      order by 1`,
    [name, batchSources],
  );
  const batches = rows.map((r) => ({
    batchId: Number(r.batch_id),
    changeSeq: r.change_seq === null ? null : Number(r.change_seq),
  }));
  return { mode: 'delta', changedBatches: batches.map((b) => b.batchId), inputs, batches };
}

/** `source:his.departments` → `his.departments`, `seed:x` → `ref.x`, `model:x` → `x`, `sql` → `its SQL`. */
function describeInput(key: string): string {
  if (key === 'sql') return 'its SQL';
  const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  return kind === 'seed' ? `ref.${name}` : name;
}

/** The current version of each input: a source's latest batch change, a seed's content hash, a model's last publication. */
async function inputVersions(
  db: pg.Pool | pg.PoolClient,
  inputs: ModelInputs,
): Promise<Record<string, string>> {
  const { rows } = await db.query<{ key: string; version: string }>(
    `select 'source:' || s as key, coalesce((select max(change_seq) from ops.batches b
              where b.source = s or split_part(s, '.', 1) = 'ops'), 0)::text as version
       from unnest($1::text[]) s
     union all
     select 'seed:' || s, coalesce((select content_sha256 from ops.seed_versions v where v.seed = s), 'unversioned')
       from unnest($2::text[]) s
     union all
     select 'model:' || s, coalesce((select build_seq from ops.model_state m where m.model = s)::text, 'never')
       from unnest($3::text[]) s`,
    [inputs.sources, inputs.seeds, inputs.models],
  );
  return { ...Object.fromEntries(rows.map((r) => [r.key, r.version])), sql: inputs.sqlHash };
}

/**
 * Records, in the publishing transaction, what a published model now reflects: a new build
 * number (downstream incremental models see they must rebuild), its inputs' versions, and for an
 * incremental model the batch versions its rows carry. `changed` false keeps the build number.
 */
export async function recordModelState(
  client: pg.PoolClient,
  model: CompiledModel,
  plan: ModelPlan | undefined,
  changed: boolean,
): Promise<void> {
  const name = model.definition.name;
  if (plan) {
    if (plan.mode === 'full') await client.query(`delete from ops.model_batches where model = $1`, [name]);
    else
      await client.query(`delete from ops.model_batches where model = $1 and batch_id = any ($2::bigint[])`, [
        name,
        plan.changedBatches,
      ]);
    const kept = plan.batches.filter((b) => b.changeSeq !== null);
    await client.query(
      `insert into ops.model_batches (model, batch_id, change_seq)
       select $1, b, s from unnest($2::bigint[], $3::bigint[]) as u (b, s)`,
      [name, kept.map((b) => b.batchId), kept.map((b) => b.changeSeq)],
    );
  }
  // Upstream models were published earlier in this transaction: record their new build numbers.
  const inputs = plan ? { ...plan.inputs } : {};
  const upstream = Object.keys(inputs).filter((k) => k.startsWith('model:'));
  if (upstream.length > 0) {
    const { rows } = await client.query<{ model: string; build_seq: string }>(
      `select model, build_seq from ops.model_state where model = any ($1::text[])`,
      [upstream.map((k) => k.slice(6))],
    );
    for (const r of rows) inputs[`model:${r.model}`] = String(r.build_seq);
  }
  await client.query(
    `insert into ops.model_state (model, inputs, build_seq) values ($1, $2, nextval('ops.change_seq'))
     on conflict (model) do update set inputs = excluded.inputs, published_at = now(),
       build_seq = case when $3 then excluded.build_seq else ops.model_state.build_seq end`,
    [name, JSON.stringify(inputs), changed],
  );
}
