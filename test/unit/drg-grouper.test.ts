import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesExpected, parseCaseCsv } from '../../core/drg-grouper/case-file.ts';
import { createGrouper, type GrouperRecord } from '../../core/drg-grouper/grouper.ts';
import {
  GrouperRuleError,
  readRuleSet,
  readRuleSetFolder,
  sharedRuleSetDir,
  type RuleSet,
} from '../../core/drg-grouper/rule-set.ts';

const conformanceFile = path.join(sharedRuleSetDir, 'conformance_cases.csv');
const hasShared = existsSync(conformanceFile);

// The national rules as the project ships them (the packed file), compiled once for the file.
const grouper = createGrouper(readRuleSet());

const adult = (zdList: string[], ssList: string[] = []): GrouperRecord => ({
  gender: '2',
  age: 29,
  ageDay: 10813,
  zdList,
  ssList,
});

describe('CHS-DRG 1.1 grouper: conformance with OpenDRG', () => {
  it.skipIf(!hasShared)(
    'groups all 5,000 conformance cases to the expected MDC, ADRG, DRG and status',
    () => {
      const rows = parseCaseCsv(readFileSync(conformanceFile, 'utf8'), conformanceFile);
      expect(rows).toHaveLength(5000);
      const wrong = rows
        .map((row) => ({ row, result: grouper.group(row.record) }))
        .filter(({ row, result }) => !matchesExpected(row, result))
        .map(
          ({ row, result }) =>
            `${row.id}: expected ${JSON.stringify(row.expected)}, got ${result.drg} ${result.status}`,
        );
      expect(wrong).toEqual([]);
      // The cases reach 373 ADRGs: the test is not passed by a few groups.
      expect(new Set(rows.map((r) => r.expected!.adrg)).size).toBeGreaterThanOrEqual(370);
    },
  );

  it.skipIf(!hasShared)(
    'ships exactly the rules of the shared folder (pack-national.ts regenerates it)',
    () => {
      expect(readRuleSet()).toEqual(readRuleSetFolder(sharedRuleSetDir));
    },
  );
});

describe('CHS-DRG 1.1 grouper: reasons a coder reads', () => {
  it('names the MCC that raised the group, and the group without it', () => {
    const withMcc = grouper.group(adult(['N06.300', 'B44.800x007']));
    expect([withMcc.mdc, withMcc.adrg, withMcc.drg, withMcc.status]).toEqual([
      'MDCL',
      'LS1',
      'LS11',
      '分组成功',
    ]);
    expect(withMcc.reasons.map((r) => r.step)).toEqual([
      'mdc',
      'adrg',
      'complication',
      'complication',
      'drg',
    ]);
    expect(withMcc.reasons[0]!.text).toBe('符合MDCL入组条件，匹配规则：主诊断匹配');
    expect(withMcc.reasons[1]!.text).toBe('符合LS1入组条件，匹配规则：主诊断匹配');
    expect(withMcc.reasons[2]!.text).toBe('主诊断 N06.300 属排除表 143');
    expect(withMcc.reasons[3]!.text).toBe(
      '次要诊断 B44.800x007 为MCC（严重并发症或合并症），排除表 15，计为并发症',
    );
    expect(withMcc.reasons[4]!.text).toBe('入组 LS11：伴严重并发症或合并症（B44.800x007 为MCC）');

    const without = grouper.group(adult(['N06.300']));
    expect(without.drg).toBe('LS15');
    expect(without.reasons.at(-1)!.text).toBe('入组 LS15：无计入的并发症或合并症（CC/MCC）');
  });

  it('applies the principal diagnosis exclusion table: a CC of the same table does not count', () => {
    const result = grouper.group(adult(['K25.501', 'K25.000']));
    expect(result.drg).toBe('GU15');
    expect(result.reasons.filter((r) => r.step === 'exclusion').map((r) => r.text)).toEqual([
      '次要诊断 K25.000 为CC（并发症或合并症），但与主诊断同属排除表 111，被排除，不计为并发症',
    ]);
  });

  it('fails the checks with every reason: no gender, no diagnosis, a newborn without birth weight', () => {
    const noGender = grouper.group({ ...adult(['N06.300']), gender: '' });
    expect([noGender.mdc, noGender.adrg, noGender.drg, noGender.status]).toEqual([
      '0000',
      '00',
      '0000',
      '信息校验不通过',
    ]);
    expect(noGender.reasons).toEqual([{ step: 'check', text: '病人性别为空' }]);
    const newborn = grouper.group({ gender: '', age: 0, ageDay: 3, zdList: [], ssList: [] });
    expect(newborn.reasons.map((r) => r.text)).toEqual([
      '病人性别为空',
      '诊断信息为空（缺少主诊断）',
      '新生儿（0岁且日龄≤28天）缺少出生体重',
    ]);
  });

  it('says why a case found no group', () => {
    const result = grouper.group(adult(['NOT.A.CODE']));
    expect([result.mdc, result.adrg, result.drg, result.status]).toEqual(['0000', '00', '0000', '无法入组']);
    expect(result.reasons.at(-1)!.text).toBe('主诊断 NOT.A.CODE 未进入任何MDC/ADRG，无法入组');
  });
});

describe('CHS-DRG grouper: a rule set is data', () => {
  /** A one-MDC rule set of the national shape, as a region's variant would be. */
  const tiny = (condition: string): RuleSet => ({
    rules: {
      scheme: 'test',
      mdc_order: ['MDCZ'],
      mdcs: {
        MDCZ: {
          condition: 'mdc_zd.includes(record.zdList[0])',
          lists: { mdc_zd: ['X1'] },
          adrgs: ['ZA1'],
          message: 'Z',
        },
      },
      adrgs: {
        ZA1: {
          mdc: 'MDCZ',
          condition,
          message: 'ZA1',
          lists: { adrg_ss: ['P1'] },
          let: null,
          drgs: ['ZA11', 'ZA15'],
          no_drg_matched_returns: 'ZA1',
        },
      },
      drgs: {
        ZA11: 'record.zdList.length>1 && has_mcc(record.zdList[0],record.zdList.slice(1))',
        ZA15: 'record.weight>=2500',
      },
    },
    complications: { CC: {}, MCC: { '7': ['M1'] } },
    principal_exclusions: { '7': ['X1'] },
    valid_procedures: ['P1'],
  });

  it('evaluates another rule set of the same shape, with JavaScript comparison of an absent weight', () => {
    const g = createGrouper(tiny('record.ssList && adrg_ss.includes(record.ssList[0])'));
    expect(g.group({ gender: '1', zdList: ['X1', 'M1'], ssList: ['P1'], weight: 3000 }).drg).toBe('ZA15'); // M1 excluded
    expect(g.group({ gender: '1', zdList: ['X1'], ssList: ['P1'] }).drg).toBe('ZA1'); // no weight: no DRG holds
    expect(g.group({ gender: '1', zdList: ['X1'], ssList: [] }).drg).toBe('0000');
  });

  it('refuses, at load and naming the rule, a name or operator outside the vocabulary', () => {
    expect(() => createGrouper(tiny('process.exit(1)'))).toThrow(/rule ADRG ZA1: unknown name 'process'/);
    expect(() => createGrouper(tiny('record.ward == "1"'))).toThrow(
      /rule ADRG ZA1: unknown record field 'ward'/,
    );
    expect(() => createGrouper(tiny('record.age + 1 > 2'))).toThrow(
      /rule ADRG ZA1: unexpected character '\+'/,
    );
    expect(() => createGrouper(tiny('adrg_ss.constructor("x")'))).toThrow(GrouperRuleError);
  });
});
