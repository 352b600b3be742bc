/**
 * Regenerates `chs-drg-1.1.json.gz` (the national rules the project ships) from the rule-set
 * folder in the shared datasets: `npx tsx core/drg-grouper/rule-sets/pack-national.ts [dir]`.
 * What it transforms is written in PROVENANCE.md beside it.
 */
import { writeFileSync } from 'node:fs';
import { nationalRuleSetFile, packRuleSet, readRuleSetFolder, sharedRuleSetDir } from '../rule-set.ts';

/** The provenance line stored inside the packed file. */
export const NATIONAL_PROVENANCE =
  'CHS-DRG 1.1 (国家医疗保障疾病诊断相关分组 1.1版) grouping rules as encoded by the OpenDRG project ' +
  '(https://github.com/OpenDRG, DRG_JavaScript drg_group/chs_drg_11), Apache License 2.0; ' +
  'rules.json, cc_mcc.csv, principal_exclusions.csv and valid_procedures.csv packed into one JSON ' +
  '(codes grouped by level and exclusion table), unchanged otherwise. See PROVENANCE.md.';

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? sharedRuleSetDir;
  const bytes = packRuleSet(readRuleSetFolder(dir), NATIONAL_PROVENANCE);
  writeFileSync(nationalRuleSetFile, bytes);
  process.stdout.write(`${nationalRuleSetFile}: ${bytes.length} bytes from ${dir}\n`);
}
