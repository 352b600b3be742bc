import { sql, type Kysely } from 'kysely';

/**
 * The hospital's own CHS-DRG group of every stay (预分组), written by the pipeline's pre-group
 * stage before the models are built: one row per stay, grouped from its front page (or, without
 * one, its settlement list) with the configured rule set. It lives outside the rebuilt marts so
 * a rebuild never regroups; `input_hash` and `rule_set_version` say when a stay must be grouped
 * again. The models read it through stg_ops__case_pregroups.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ops.case_pregroups (
      hospital_code     text not null,
      visit_id          text not null,
      record_source     text not null check (record_source in ('front_page', 'settlement_list')),
      rule_set_version  text not null,
      input_hash        text not null,
      mdc_code          text,
      adrg_code         text,
      drg_code          text,
      status            text not null check (status in ('分组成功', '无法入组', '信息校验不通过', '歧义病案')),
      reasons           text not null default '',  -- the coder-readable lines, in order, one per line
      grouped_at        timestamptz not null default now(),
      primary key (hospital_code, visit_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ops.case_pregroups`.execute(db);
}
