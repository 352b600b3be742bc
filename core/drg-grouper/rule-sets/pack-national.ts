/**
 * Regenerates `chs-drg-1.1.json.gz` (the national rules the project ships) from the rule-set
 * folder in the shared datasets: `npx tsx core/drg-grouper/rule-sets/pack-national.ts [dir]`.
 * What it transforms is written in PROVENANCE.md beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../paths.ts';
import {
  nationalRuleSetFile,
  nationalSeedTables,
  packRuleSet,
  RULE_SET_FILES,
  readRuleSetFolder,
  sharedRuleSetDir,
} from '../rule-set.ts';

/** The provenance line stored inside the packed file. */
export const NATIONAL_PROVENANCE =
  'CHS-DRG 1.1 (国家医疗保障疾病诊断相关分组 1.1版) grouping rules as encoded by the OpenDRG project ' +
  '(https://github.com/OpenDRG, DRG_JavaScript drg_group/chs_drg_11), Apache License 2.0; ' +
  'rules.json and valid_procedures.csv packed into one JSON; cc_mcc.csv and principal_exclusions.csv ' +
  'are the seeds seeds/drg/drg_cc_mcc.csv and drg_principal_exclusions.csv (columns renamed), ' +
  'unchanged otherwise. See PROVENANCE.md.';

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? sharedRuleSetDir;
  const ruleSet = readRuleSetFolder(dir);
  const bytes = packRuleSet(ruleSet, NATIONAL_PROVENANCE, nationalSeedTables);
  writeFileSync(nationalRuleSetFile, bytes);
  // the two tables as seeds (the warehouse's 高套编码 screen reads them too): the folder's rows with
  // the seeds' column names
  const copy = (from: string, to: string, header: string) => {
    const body = readFileSync(path.join(dir, from), 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .slice(1);
    writeFileSync(path.join(projectRoot, to), [header, ...body].join('\n'));
  };
  copy(RULE_SET_FILES.complications, nationalSeedTables.complications, 'diag_code,cc_level,exclusion_table');
  copy(
    RULE_SET_FILES.principalExclusions,
    nationalSeedTables.principalExclusions,
    'diag_code,exclusion_table',
  );
  process.stdout.write(`${nationalRuleSetFile}: ${bytes.length} bytes from ${dir}, and the two seeds\n`);
}
