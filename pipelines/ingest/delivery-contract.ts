import {
  canonicalFormats,
  formatsOf,
  valueFormats,
  type ColumnType,
  type ValueFormat,
} from '../../core/contract/columns.ts';
import { parseRules } from './row-encoder.ts';
import { rawTable, sourceId, type SourceDefinition } from './source-definition.ts';

/** Marks the part of FORMATS.md written from the source declarations (`hdw formats --write`). */
export const GENERATED_BEGIN =
  '<!-- generated from pipelines/sources by `npx hdw formats --write`: do not edit by hand -->';
export const GENERATED_END = '<!-- end of generated part -->';

const systemTitles: Record<string, string> = {
  his: 'HIS 医院信息系统 (`his/`)',
  emr: 'EMR 电子病历 / 病案首页 (`emr/`)',
  insurance: '医保 结算清单与支付政策 (`insurance/`)',
  erp: 'ERP/HRP 运营管理 (`erp/`)',
  lab: 'LIS/PACS 检验检查 (`lab/`)',
  benchmark: '外部对标表 published benchmark tables (`benchmark/`)',
};

const typeNames: Record<ColumnType, string> = {
  text: 'text',
  integer: 'integer',
  numeric: 'decimal',
  date: 'date',
  timestamp: 'date-time',
  boolean: 'yes/no',
};

/**
 * The per-source part of FORMATS.md, from the declarations alone, so the delivery contract a
 * hospital implements against cannot drift from what ingestion accepts: value formats, the checks
 * made while reading, then for every source its file, key, columns (Chinese header, type,
 * required, accepted formats) and rules.
 */
export function renderDeliveryContract(sources: readonly SourceDefinition[]): string {
  const out: string[] = [GENERATED_BEGIN, '', '### Value formats', ''];
  out.push(
    '| format | example | accepted by default in |',
    '| ------ | ------- | ---------------------- |',
    ...(Object.keys(valueFormats) as ValueFormat[]).map((f) => {
      const types = (Object.keys(canonicalFormats) as ColumnType[]).filter((t) =>
        formatsOf({ type: t }).includes(f),
      );
      return `| \`${f}\` | ${escape(valueFormats[f].label)} | ${types.map((t) => typeNames[t]).join(', ')} |`;
    }),
    '',
    'A column may declare fewer or other formats (`formats` in its declaration); the table of each',
    'source below lists what its columns accept. Yes/no columns accept `1/0`, `true/false`, `t/f`,',
    '`y/n`, `yes/no`, `是/否`.',
    '',
    '### Checks made while reading every row',
    '',
    '| rule | severity | what it means |',
    '| ---- | -------- | ------------- |',
    ...Object.entries(parseRules).map(
      ([id, rule]) => `| \`${id}\` | ${rule.severity} | ${escape(rule.description)} |`,
    ),
    '',
  );
  const systems = [...new Set(sources.map((s) => s.system))];
  for (const system of systems) {
    out.push(`### ${systemTitles[system] ?? system}`, '');
    for (const source of sources.filter((s) => s.system === system)) out.push(...renderSource(source));
  }
  out.push(GENERATED_END);
  return `${out.join('\n')}\n`;
}

function renderSource(source: SourceDefinition): string[] {
  const folder =
    source.deliveredBy === 'publisher'
      ? `<inbox>/P<region>/${source.system}/`
      : `<inbox>/<hospital_code>/${source.system}/`;
  const name = fileName(source.filePattern);
  const publisher =
    source.system === 'benchmark'
      ? ', delivered by the publisher of the table, not a member hospital'
      : ', delivered by the payer (医保局), not a member hospital';
  const reading = [
    source.delimiter && source.delimiter !== ','
      ? `fields separated by ${JSON.stringify(source.delimiter)}`
      : '',
    source.encoding ? `encoding ${source.encoding}` : '',
    source.titleLines ? `${source.titleLines} title line(s) before the header, skipped` : '',
  ].filter(Boolean);
  const lines = [
    `#### \`${sourceId(source)}\` — ${escape(source.description)}`,
    '',
    `- File: \`${folder}${name}\`${name.endsWith('.csv') ? ' (or the same name ending `.xlsx`)' : ''}` +
      (source.deliveredBy === 'publisher' ? publisher : ''),
    ...(reading.length > 0 ? [`- Read: ${reading.join('; ')}`] : []),
    ...(source.table
      ? [`- Loads into \`${rawTable(source)}\`, shared by every declaration of its kind`]
      : []),
    `- One record per: ${(source.uniqueKey ?? [source.key]).map((k) => `\`${k}\``).join(' + ')}` +
      (source.after?.length ? `; loaded after ${source.after.map((a) => `\`${a}\``).join(', ')}` : ''),
    '',
    ...columnTable(source),
    '',
  ];
  if (source.rules.length > 0) {
    lines.push(
      '| rule | severity | what it checks |',
      '| ---- | -------- | -------------- |',
      ...source.rules.map((r) => `| \`${r.id}\` | ${r.severity} | ${escape(r.description)} |`),
      '',
    );
  }
  return lines;
}

/** The columns of a source; the meaning column only when some column has a description. */
function columnTable(source: SourceDefinition): string[] {
  const meaning = source.columns.some((c) => c.description);
  const derived = new Map(
    (source.derived ?? []).map((d) => [d.column, `(derived: ${d.description})`] as const),
  );
  return [
    `| column | 中文表头 | type | required | formats |${meaning ? ' meaning |' : ''}`,
    `| ------ | -------- | ---- | -------- | ------- |${meaning ? ' ------- |' : ''}`,
    ...source.columns.map(
      (c) =>
        `| \`${c.name}\` | ${escape([(c.aliases ?? []).join(', '), derived.get(c.name) ?? ''].filter(Boolean).join(' '))} | ${typeNames[c.type]} | ${c.required ? 'yes' : ''} | ${formatsOf(
          c,
        )
          .map((f) => `\`${f}\``)
          .join(' ')} |${meaning ? ` ${escape(c.description ?? '')} |` : ''}`,
    ),
  ];
}

/** `charge_lines_YYYY-MM.csv` from `/^charge_lines_(?<period>\d{4}-\d{2})\.csv$/`. */
export function fileName(pattern: RegExp): string {
  return pattern.source
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\(\?<period>\\d\{4\}-\\d\{2\}-\\d\{2\}\)/g, 'YYYY-MM-DD')
    .replace(/\(\?<period>\\d\{4\}-\\d\{2\}\)/g, 'YYYY-MM')
    .replace(/\(\?<period>\\d\{4\}\)/g, 'YYYY')
    .replace(/\\\./g, '.');
}

function escape(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/**
 * FORMATS.md with its generated part replaced by `rendered` (inserted under the "## 6." heading
 * when the markers are not there yet).
 */
export function withDeliveryContract(document: string, rendered: string): string {
  const begin = document.indexOf(GENERATED_BEGIN);
  const end = document.indexOf(GENERATED_END);
  if (begin >= 0 && end > begin) {
    const after = document.indexOf('\n', end);
    return document.slice(0, begin) + rendered + document.slice(after < 0 ? document.length : after + 1);
  }
  const heading = /^## 6\..*$/m.exec(document);
  if (!heading) return `${document.trimEnd()}\n\n## 6. Every source\n\n${rendered}`;
  const at = heading.index + heading[0].length;
  return `${document.slice(0, at)}\n\n${rendered}${document.slice(at).replace(/^\n+/, '\n')}`;
}

/**
 * Whether the generated part of FORMATS.md says what `rendered` says. Table padding and dash runs
 * are ignored, so formatting the file (prettier aligns tables) does not make it stale.
 */
export function deliveryContractIsCurrent(document: string, rendered: string): boolean {
  const begin = document.indexOf(GENERATED_BEGIN);
  const end = document.indexOf(GENERATED_END);
  if (begin < 0 || end < begin) return false;
  return normalise(document.slice(begin, end + GENERATED_END.length)) === normalise(rendered);
}

function normalise(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').replace(/-{3,}/g, '---').replace(/ \|/g, '|').trim())
    .filter((line) => line !== '')
    .join('\n');
}
