import { sql } from 'kysely';
import type { ColumnSpec, ColumnType } from '../../../core/contract/columns.ts';
import type { SourceDefinition } from '../../ingest/source-definition.ts';

/**
 * Published benchmark tables (issue 15): what a region's pool, another alliance or a national
 * payer publishes about providers other than the alliance's own. Each table is declared, not
 * coded: its file, the delivered header of each field, how the group code sits in the delivered
 * group label, title lines, encoding and delimiter. Every declaration of a kind loads into the
 * kind's one raw table (`raw_benchmark.provider_groups`, `raw_benchmark.group_weights`) as a
 * source of its own (`benchmark.<entity>`, its own batches), delivered by a publisher into
 * `<inbox>/P<code>/benchmark/`, so the benchmark models read every table of a kind alike.
 */
export type PublishedTableKind = 'provider_groups' | 'group_weights';

interface KindField {
  readonly type: ColumnType;
  readonly description: string;
  /** Part of the natural key when the table delivers it. */
  readonly key?: boolean;
  readonly required?: boolean;
}

/** The fields of each kind; a declaration maps the ones its table publishes. */
export const publishedTableFields = {
  provider_groups: {
    period: { type: 'text', key: true, description: '期间（年度）；未发布时取文件名中的期间' },
    group_label: { type: 'text', key: true, required: true, description: '病组（如发布：039 - …）' },
    group_name: { type: 'text', description: '病组名称' },
    provider_code: { type: 'text', key: true, description: '医疗机构编码' },
    provider_name: { type: 'text', description: '医疗机构名称' },
    region: { type: 'text', description: '所在地区（州/省）' },
    referral_region: { type: 'text', description: '就医区域（如 HRR、统筹区）' },
    hospital_level: { type: 'text', key: true, description: '医院等级（按等级发布的参考值）' },
    cases: { type: 'integer', description: '出院例数' },
    mean_charge: { type: 'numeric', description: '次均费用' },
    mean_cost: { type: 'numeric', description: '次均成本' },
    mean_los: { type: 'numeric', description: '平均住院日' },
    mean_total_payment: { type: 'numeric', description: '次均支付总额（基金与个人）' },
    mean_fund_payment: { type: 'numeric', description: '次均基金支付' },
    mortality_rate: { type: 'numeric', description: '病死率（0–1）' },
  },
  group_weights: {
    period: { type: 'text', key: true, description: '期间（年度）；未发布时取文件名中的期间' },
    group_label: { type: 'text', key: true, required: true, description: '病组（如发布）' },
    group_name: { type: 'text', description: '病组名称' },
    weight: { type: 'numeric', required: true, description: '相对权重' },
    mean_los_geometric: { type: 'numeric', description: '几何平均住院日' },
    mean_los_arithmetic: { type: 'numeric', description: '算术平均住院日' },
  },
} as const satisfies Record<PublishedTableKind, Record<string, KindField>>;

export interface PublishedTableDeclaration<K extends PublishedTableKind> {
  readonly kind: K;
  /** The source's name (`benchmark.<entity>`), e.g. `cms_ipps_provider_summary`. */
  readonly entity: string;
  readonly description: string;
  /** File name inside `<inbox>/P<code>/benchmark/`; its `period` group is the period of the rows. */
  readonly filePattern: RegExp;
  /** The delivered header(s) of each field the table publishes. */
  readonly columns: Partial<Record<keyof (typeof publishedTableFields)[K], string | readonly string[]>>;
  /**
   * A POSIX regular expression whose first group is the group code inside the delivered label
   * (CMS: `039 - ` → `039` with `^\s*(\d{3})\b`); default the label trimmed. A label it does not
   * match quarantines its row (`unrecognised_group_code`).
   */
  readonly groupCodePattern?: string;
  readonly delimiter?: string;
  readonly encoding?: 'utf-8' | 'gb18030';
  readonly titleLines?: number;
}

/** The source a published table is loaded as. */
export function publishedTable<K extends PublishedTableKind>(
  declaration: PublishedTableDeclaration<K>,
): SourceDefinition {
  const fields = publishedTableFields[declaration.kind] as Record<string, KindField>;
  const mapped = declaration.columns as Record<string, string | readonly string[] | undefined>;
  const unknown = Object.keys(mapped).filter((name) => !(name in fields));
  if (unknown.length > 0)
    throw new Error(
      `benchmark.${declaration.entity}: ${declaration.kind} has no field ${unknown.join(', ')}`,
    );
  const missing = Object.entries(fields).filter(([name, f]) => f.required && !mapped[name]);
  if (missing.length > 0)
    throw new Error(
      `benchmark.${declaration.entity}: the delivered header of ${missing.map(([n]) => n).join(', ')} is not declared`,
    );
  const columns: ColumnSpec[] = Object.entries(fields).map(([name, f]) => {
    const header = mapped[name];
    return {
      name,
      type: f.type,
      description: f.description,
      required: f.required,
      aliases: header === undefined ? [] : typeof header === 'string' ? [header] : [...header],
    };
  });
  const pattern = declaration.groupCodePattern;
  return {
    system: 'benchmark',
    entity: declaration.entity,
    table: declaration.kind,
    description: declaration.description,
    deliveredBy: 'publisher',
    filePattern: declaration.filePattern,
    key: 'group_label',
    // Only delivered columns: the reader hashes them to find keys delivered twice.
    uniqueKey: Object.entries(fields)
      .filter(([name, f]) => f.key && mapped[name])
      .map(([name]) => name),
    delimiter: declaration.delimiter,
    encoding: declaration.encoding,
    titleLines: declaration.titleLines,
    columns: [
      ...columns,
      { name: 'group_code', type: 'text', description: '病组编码（自病组标签提取）' },
      { name: 'published_table', type: 'text', description: '发布表（声明名）' },
    ],
    derived: [
      {
        column: 'published_table',
        description: `the declaration's name, ${declaration.entity}`,
        value: () => sql.lit(declaration.entity),
      },
      {
        column: 'group_code',
        description:
          pattern === undefined ? 'group_label trimmed' : `the first group of ${pattern} in group_label`,
        value: () =>
          pattern === undefined
            ? sql`nullif(btrim(r.group_label), '')`
            : sql`substring(r.group_label from ${sql.lit(pattern)})`,
      },
      {
        column: 'period',
        description: 'as delivered, else the period of the file name',
        value: ({ period }) => sql`coalesce(nullif(btrim(r.period), ''), ${sql.lit(period)})`,
      },
    ],
    rules: [
      {
        id: 'unrecognised_group_code',
        category: 'conformance.value',
        severity: 'blocking',
        description: '病组标签中找不到声明格式的病组编码',
        failsWhen: sql`r.group_label is not null and r.group_code is null`,
        message: sql`'病组标签 ' || quote_literal(r.group_label) || ' 不含声明格式的病组编码'`,
      },
    ],
  };
}
