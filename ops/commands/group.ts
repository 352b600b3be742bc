import { readFile, writeFile } from 'node:fs/promises';
import {
  codeList,
  matchesExpected,
  normaliseGender,
  optionalNumber,
  parseCaseCsv,
  resultsCsv,
} from '../../core/drg-grouper/case-file.ts';
import {
  createGrouper,
  type GroupResult,
  type Grouper,
  type GrouperRecord,
} from '../../core/drg-grouper/grouper.ts';
import { readRuleSet } from '../../core/drg-grouper/rule-set.ts';
import { WHAT_IF_LABELS, whatIf } from '../../core/drg-grouper/what-if.ts';
import { HdwError } from '../../core/errors.ts';

export interface GroupCommandOptions {
  readonly gender?: string;
  readonly age?: string;
  readonly ageDays?: string;
  readonly weight?: string;
  readonly diagnoses?: string;
  readonly procedures?: string;
  readonly file?: string;
  readonly out?: string;
  readonly whatIf?: boolean;
  readonly limit: number;
  readonly rules?: string;
}

// Compiled once per rule set and process (a second command in the same process, e.g. a test, reuses it).
const grouperByRules = new Map<string, Grouper>();
function loadGrouper(rules: string | undefined): Grouper {
  const key = rules ?? '';
  let grouper = grouperByRules.get(key);
  if (!grouper) grouperByRules.set(key, (grouper = createGrouper(readRuleSet(rules))));
  return grouper;
}

/**
 * `hdw group`: groups one case given by options, or a CSV of cases (the conformance file's
 * columns), with the CHS-DRG rules shipped with the project (or `--rules`), and prints or writes
 * each case's MDC, ADRG, DRG, status and reasons; `--what-if` lists for one case the single
 * secondary diagnoses and procedures, removed or added, that would change its group.
 */
export async function groupCommand(opts: GroupCommandOptions): Promise<void> {
  if (opts.file && (opts.diagnoses || opts.whatIf))
    throw new HdwError('E_USAGE', '--file groups a CSV of cases; --diagnoses and --what-if are for one case');
  if (!opts.file && !opts.diagnoses)
    throw new HdwError('E_USAGE', 'give one case (--diagnoses, with --gender, --age …) or --file cases.csv');
  const grouper = loadGrouper(opts.rules);
  if (opts.file) return groupFile(grouper, opts.file, opts.out);

  const record: GrouperRecord = {
    gender: normaliseGender(opts.gender ?? ''),
    age: optionalNumber(opts.age, '--age'),
    ageDay: optionalNumber(opts.ageDays, '--age-days'),
    weight: optionalNumber(opts.weight, '--weight'),
    zdList: codeList(opts.diagnoses),
    ssList: codeList(opts.procedures),
  };
  if (!opts.whatIf) {
    process.stdout.write(describe(grouper.group(record)));
    return;
  }
  const { base, outcomes } = whatIf(grouper, record);
  process.stdout.write(describe(base));
  process.stdout.write(
    outcomes.length === 0
      ? '\n单个次要诊断或手术操作的增删都不会改变分组 (no single change moves the group)\n'
      : `\n改变分组的单项增删 (what-if, ${outcomes.length} outcomes):\n`,
  );
  for (const o of outcomes) {
    const shown = o.codes.slice(0, opts.limit).join(', ');
    const more = o.codes.length > opts.limit ? ` … (共 ${o.codes.length} 个)` : '';
    process.stdout.write(
      `  ${WHAT_IF_LABELS[o.action]} → ${o.drg} (${o.adrg}, ${o.mdc}) ${o.status}: ${shown}${more}\n`,
    );
  }
}

function describe(r: GroupResult): string {
  return (
    `DRG ${r.drg}  ADRG ${r.adrg}  ${r.mdc}  ${r.status}\n` +
    r.reasons.map((x, i) => `  ${i + 1}. ${x.text}\n`).join('')
  );
}

async function groupFile(grouper: Grouper, file: string, out?: string): Promise<void> {
  const rows = parseCaseCsv(await readFile(file, 'utf8'), file);
  const results = rows.map((row) => grouper.group(row.record));
  const csv = resultsCsv(rows, results);
  if (out) await writeFile(out, csv, 'utf8');
  else process.stdout.write(csv);
  const compared = rows.filter((r) => r.expected);
  const equal = rows.filter((r, i) => r.expected && matchesExpected(r, results[i]!)).length;
  const grouped = results.filter((r) => r.status === '分组成功').length;
  process.stderr.write(
    `${rows.length} cases grouped (${grouped} 分组成功)${out ? ` → ${out}` : ''}` +
      (compared.length ? `; ${equal}/${compared.length} equal their expected_* columns` : '') +
      '\n',
  );
}
