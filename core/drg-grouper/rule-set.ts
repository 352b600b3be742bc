import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { HdwError } from '../errors.ts';
import { projectRoot } from '../paths.ts';

/** A rule set that cannot be read or compiled; the message names the file or the rule. */
export class GrouperRuleError extends HdwError {
  constructor(message: string) {
    super('E_GROUPER_RULES', message);
  }
}

const codeLists = z.record(z.string(), z.array(z.string()));

/** `rules.json`: the MDCs in order, their ADRGs, and the DRGs, each with its condition. */
export const rulesSchema = z.object({
  scheme: z.string(),
  mdc_order: z.array(z.string()).min(1),
  mdcs: z.record(
    z.string(),
    z.object({
      condition: z.string(),
      lists: codeLists,
      adrgs: z.array(z.string()),
      message: z.string(),
      trauma_region_of: z.record(z.string(), z.string()).optional(),
    }),
  ),
  adrgs: z.record(
    z.string(),
    z.object({
      mdc: z.string(),
      condition: z.string(),
      message: z.string(),
      lists: codeLists,
      let: z.string().nullable(),
      drgs: z.array(z.string()),
      no_drg_matched_returns: z.string(),
    }),
  ),
  drgs: z.record(z.string(), z.string()),
});
export type Rules = z.infer<typeof rulesSchema>;

/**
 * A whole rule set: the rules and the three tables they consult. Codes are grouped by exclusion
 * table (`{"12": ["A00.100", …]}`), which is also the packed form's layout.
 */
export const ruleSetSchema = z.object({
  rules: rulesSchema,
  /** Secondary diagnoses that are complications, by level and exclusion table. */
  complications: z.object({ CC: codeLists, MCC: codeLists }),
  /** Principal diagnoses by their exclusion table. */
  principal_exclusions: codeLists,
  /** Procedures that count as operating-room procedures (`SS_VALID`). */
  valid_procedures: z.array(z.string()),
});
export type RuleSet = z.infer<typeof ruleSetSchema>;

/**
 * The packed file: a rule set plus where it came from. `seedTables` names seed CSVs (paths from the
 * project root) that hold the complication and principal-exclusion tables instead of the packed
 * JSON: the national rules keep them once, as the seeds the warehouse's SQL screens read too.
 */
const packedSchema = z.object({
  format: z.literal('hdw-drg-rule-set/1'),
  provenance: z.string(),
  ruleSet: ruleSetSchema,
  seedTables: z.object({ complications: z.string(), principalExclusions: z.string() }).optional(),
});

/** The seeds the national rules' complication and exclusion tables live in (and their columns). */
export const nationalSeedTables = {
  complications: 'seeds/drg/drg_cc_mcc.csv',
  principalExclusions: 'seeds/drg/drg_principal_exclusions.csv',
} as const;

/** The national CHS-DRG 1.1 rules shipped with the project (see PROVENANCE.md beside it). */
export const nationalRuleSetFile = path.join(
  projectRoot,
  'core',
  'drg-grouper',
  'rule-sets',
  'chs-drg-1.1.json.gz',
);

/** The rules as published in the shared datasets (the folder the packed file is made from). */
export const sharedRuleSetDir = path.resolve(
  projectRoot,
  '..',
  'shared',
  'datasets',
  'chs-drg-1.1',
  'grouping',
);

/** The four files of a rule-set folder, as the shared datasets hold them. */
export const RULE_SET_FILES = {
  rules: 'rules.json',
  complications: 'cc_mcc.csv',
  principalExclusions: 'principal_exclusions.csv',
  validProcedures: 'valid_procedures.csv',
} as const;

function readCsv(file: string, columns: readonly string[]): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(file, 'utf8'), {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (error) {
    throw new GrouperRuleError(`${file}: ${(error as Error).message}`);
  }
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const missing = columns.filter((c) => rows.length > 0 && !header.includes(c));
  if (missing.length) throw new GrouperRuleError(`${file}: missing column(s) ${missing.join(', ')}`);
  rows.forEach((row, i) => {
    for (const c of columns) if (!row[c]) throw new GrouperRuleError(`${file} line ${i + 2}: empty ${c}`);
  });
  return rows;
}

function groupBy(
  rows: readonly Record<string, string>[],
  key: string,
  value: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const row of rows) (out[row[key]!] ??= []).push(row[value]!);
  return out;
}

/**
 * Reads a rule-set folder (`rules.json`, `cc_mcc.csv`, `principal_exclusions.csv`,
 * `valid_procedures.csv`: the national rules in `../shared`, or a region's variant of the same
 * shape). A missing file, column or malformed rule stops with the file named.
 */
export function readRuleSetFolder(dir: string): RuleSet {
  const file = (name: string) => {
    const p = path.join(dir, name);
    if (!existsSync(p)) throw new GrouperRuleError(`rule set ${dir}: ${name} is missing`);
    return p;
  };
  const rulesFile = file(RULE_SET_FILES.rules);
  let rulesJson: unknown;
  try {
    rulesJson = JSON.parse(readFileSync(rulesFile, 'utf8'));
  } catch (error) {
    throw new GrouperRuleError(`${rulesFile}: ${(error as Error).message}`);
  }
  const rules = rulesSchema.safeParse(rulesJson);
  if (!rules.success) throw new GrouperRuleError(`${rulesFile}: ${z.prettifyError(rules.error)}`);
  return {
    rules: rules.data,
    ...readTables(file(RULE_SET_FILES.complications), file(RULE_SET_FILES.principalExclusions), {
      code: 'code',
      level: 'level',
      principal: 'principal_code',
    }),
    valid_procedures: readCsv(file(RULE_SET_FILES.validProcedures), ['code']).map((r) => r.code!),
  };
}

/** The complication and principal-exclusion tables from their CSVs (column names as given). */
function readTables(
  complicationsFile: string,
  exclusionsFile: string,
  names: { readonly code: string; readonly level: string; readonly principal: string },
): Pick<RuleSet, 'complications' | 'principal_exclusions'> {
  const complications = readCsv(complicationsFile, [names.code, names.level, 'exclusion_table']);
  const bad = complications.find((r) => r[names.level] !== 'CC' && r[names.level] !== 'MCC');
  if (bad)
    throw new GrouperRuleError(
      `${complicationsFile}: level '${bad[names.level]}' of ${bad[names.code]} is neither CC nor MCC`,
    );
  const of = (level: string) =>
    groupBy(
      complications.filter((r) => r[names.level] === level),
      'exclusion_table',
      names.code,
    );
  return {
    complications: { CC: of('CC'), MCC: of('MCC') },
    principal_exclusions: groupBy(
      readCsv(exclusionsFile, [names.principal, 'exclusion_table']),
      'exclusion_table',
      names.principal,
    ),
  };
}

/**
 * The packed form of a rule set: one gzip'd JSON with its provenance note; with `seedTables`, its
 * complication and exclusion tables are left to those seeds (read back by `readRuleSet`).
 */
export function packRuleSet(
  ruleSet: RuleSet,
  provenance: string,
  seedTables?: z.infer<typeof packedSchema>['seedTables'],
): Buffer {
  const packed: z.infer<typeof packedSchema> = seedTables
    ? {
        format: 'hdw-drg-rule-set/1',
        provenance,
        ruleSet: { ...ruleSet, complications: { CC: {}, MCC: {} }, principal_exclusions: {} },
        seedTables,
      }
    : { format: 'hdw-drg-rule-set/1', provenance, ruleSet };
  return gzipSync(JSON.stringify(packed), { level: 9 });
}

/**
 * Reads a rule set from a folder (see `readRuleSetFolder`) or a packed `.json.gz` / `.json` file
 * (`packRuleSet`); by default the national CHS-DRG 1.1 rules shipped with the project.
 */
export function readRuleSet(source: string = nationalRuleSetFile): RuleSet {
  if (!existsSync(source)) throw new GrouperRuleError(`rule set ${source} does not exist`);
  if (statSync(source).isDirectory()) return readRuleSetFolder(source);
  let json: unknown;
  try {
    const bytes = readFileSync(source);
    json = JSON.parse((source.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
  } catch (error) {
    throw new GrouperRuleError(`rule set ${source}: ${(error as Error).message}`);
  }
  const packed = packedSchema.safeParse(json);
  if (!packed.success) throw new GrouperRuleError(`rule set ${source}: ${z.prettifyError(packed.error)}`);
  const { ruleSet, seedTables } = packed.data;
  if (!seedTables) return ruleSet;
  return {
    ...ruleSet,
    ...readTables(
      path.join(projectRoot, seedTables.complications),
      path.join(projectRoot, seedTables.principalExclusions),
      { code: 'diag_code', level: 'cc_level', principal: 'diag_code' },
    ),
  };
}
