import type { RawBuilder } from 'kysely';
import type { ColumnSpec } from '../../core/contract/columns.ts';

export type RuleCategory =
  | 'conformance.value'
  | 'conformance.relational'
  | 'conformance.computational'
  | 'completeness'
  | 'plausibility.atemporal'
  | 'plausibility.temporal'
  | 'uniqueness';

export type Severity = 'blocking' | 'warning';

export type SourceSystem = 'his' | 'emr' | 'lab' | 'erp' | 'insurance' | 'benchmark';

/**
 * A data-quality rule over one source (after OHDSI's Data Quality Dashboard): a row fails when
 * `failsWhen` is true. The condition is SQL over the batch being loaded, aliased `r` (typed
 * columns of the source, plus `hospital_code`), so row checks and checks against dictionaries and
 * earlier batches are written the same way and run set-based.
 */
export interface RuleDefinition {
  readonly id: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  /** What the rule means, in the steward's words (Chinese first). */
  readonly description: string;
  readonly failsWhen: RawBuilder<unknown>;
  /** A SQL text expression over `r` giving the message of a failing row; default: the description. */
  readonly message?: RawBuilder<unknown>;
}

/**
 * One kind of delivery from a source system, declared rather than coded: where its files are,
 * how delivered headers map to typed columns, its natural key, and its rules.
 */
export interface SourceDefinition {
  readonly system: SourceSystem;
  readonly entity: string;
  readonly description: string;
  /**
   * Who delivers it: a member hospital (default), into `<inbox>/<hospital_code>/<system>/`, or a
   * publisher that is no member (a city 医保局's regional reference, DRG/DIP payment tables), into
   * `<inbox>/<publisher_code>/<system>/` (`P` + 6-digit division code, `seeds/reference/publishers.csv`).
   * Its batches then carry the publisher code in `hospital_code`. A file under the other kind of
   * folder is not recognised.
   */
  readonly deliveredBy?: 'member' | 'publisher';
  /**
   * File name inside `<inbox>/<hospital_code>/<system>/`; the `period` group names the period.
   * Written for the `.csv` name; the same name ending in `.xlsx` is read as a workbook.
   */
  readonly filePattern: RegExp;
  /** Loads after these sources (`system.entity`), e.g. charges after visits and dictionaries. */
  readonly after?: readonly string[];
  /** The natural key column, recorded on quarantine and exceptions so a steward can find the record. */
  readonly key: string;
  /**
   * Columns that identify one record inside a delivery: two rows with the same values here but
   * different content break `conflicting_duplicate_key` (both are quarantined for the steward).
   */
  readonly uniqueKey?: readonly string[];
  /** Field separator; default `,`. A file that splits better on another one is rejected with that said. */
  readonly delimiter?: string;
  /** Declared encoding; default detected. A file that contradicts a declared encoding is rejected. */
  readonly encoding?: 'utf-8' | 'gb18030';
  /**
   * Lines before the header that are not data (a published table's title, e.g. CMS's
   * "TABLE 5.—LIST OF MEDICARE SEVERITY …"): skipped; line numbers still count them.
   */
  readonly titleLines?: number;
  /**
   * The raw table inside `raw_<system>` when several declarations share one (every published
   * benchmark table of a kind, each its own source with its own batches); default the entity.
   */
  readonly table?: string;
  /**
   * Columns filled after reading, before the rules run (new batches and replays alike), from
   * other columns of the row `r` and the batch: e.g. a group code extracted from a delivered
   * label (`substring(r.group_label from '^(\d{3})')`), or the file's period where the rows
   * carry none. They are looked for in the file only when they declare aliases (a derived value may
   * start from the delivered one, `r.period`). A value that must be there is checked by a
   * rule of the source (quarantine), since the readers only see delivered columns.
   */
  readonly derived?: readonly DerivedColumn[];
  readonly columns: readonly ColumnSpec[];
  readonly rules: readonly RuleDefinition[];
  /**
   * The IANA time zone delivered times with an offset (`…Z`, `…+08:00`) are converted to: the
   * hospital's. Set from `HDW_TIME_ZONE` by the ingest stage (`withTimeZone`); default Asia/Shanghai.
   */
  readonly timeZone?: string;
}

/** A column computed from the row (`r`) and its batch; see `SourceDefinition.derived`. */
export interface DerivedColumn {
  readonly column: string;
  /** How it is derived, for the delivery contract (FORMATS.md). */
  readonly description: string;
  readonly value: (batch: { readonly period: string }) => RawBuilder<unknown>;
}

/** The sources as this installation reads them: offsets converted to its configured time zone. */
export function withTimeZone(
  sources: readonly SourceDefinition[],
  timeZone: string,
): readonly SourceDefinition[] {
  return sources.map((source) => (source.timeZone ? source : { ...source, timeZone }));
}

/** `his.charge_lines`: how batches, exceptions and quarantine name a source. */
export function sourceId(source: SourceDefinition): string {
  return `${source.system}.${source.entity}`;
}

/** `raw_his.charge_lines`: where a source's loaded rows live. */
export function rawTable(source: SourceDefinition): string {
  return `raw_${source.system}.${source.table ?? source.entity}`;
}
