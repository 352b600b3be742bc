import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createGrouper, GROUP_STATUS, type GrouperRecord } from '../../core/drg-grouper/grouper.ts';
import { readRuleSet } from '../../core/drg-grouper/rule-set.ts';
import { COMORBIDITIES } from '../../pipelines/demo/catalog/diagnoses.ts';
import { DRG_GROUPS, UPCODING, type DrgGroup } from '../../pipelines/demo/catalog/drg-groups.ts';
import { procedureShare, VENTILATION } from '../../pipelines/demo/inpatient-case.ts';
import { keepsSeverity, severityComplications } from '../../pipelines/demo/national-coding.ts';

/**
 * The demo catalogue's conformance with the national CHS-DRG 1.1 rules: every coding the generator
 * can write for a group (each principal diagnosis, with and without the group's procedures where
 * it may leave them out, with ICU ventilation where the group is severe, with the fewest and the
 * most secondary diagnoses its severity allows) is grouped by the national grouper into exactly
 * that group; and a planted 高套编码 adds a diagnosis that really moves the stay into its sibling.
 * The grouper here is compiled from the shipped rules on its own, not the generator's.
 */
const grouper = createGrouper(readRuleSet());
const root = path.resolve(import.meta.dirname, '../..');
const byCode = new Map(DRG_GROUPS.map((g) => [g.code, g]));

/** Diagnoses a stay of the group may carry beside those of its severity (births: the outcome). */
function extras(g: DrgGroup): string[] {
  return g.code === 'OB19' || g.code === 'OC19' ? ['Z37.000', 'O24.400'] : [];
}

interface Coding {
  readonly what: string;
  readonly record: GrouperRecord;
}

/** The codings of one principal diagnosis the generator can produce for the group, for one patient. */
function codings(g: DrgGroup, main: string, index: number, gender: '1' | '2', age: number): Coding[] {
  const procedureSets: string[][] = [];
  if (g.procedures.length > 0) {
    procedureSets.push(g.alignProcedures ? [g.procedures[index] ?? g.procedures[0]!] : [...g.procedures]);
    if (procedureShare(g) < 1) procedureSets.push([]);
  } else procedureSets.push([]);
  // Only severe groups go to the ICU, and a ventilated stay codes the ventilation after the rest.
  if (g.severity === 2)
    for (const set of [...procedureSets]) procedureSets.push([...set, g.ventilation ?? VENTILATION]);

  const allowed = [...(g.complications ?? []), ...COMORBIDITIES, ...extras(g)].filter(
    (c) => c !== main && keepsSeverity(g.severity, main, c),
  );
  const secondarySets: string[][] =
    g.severity === 0
      ? [[], allowed]
      : severityComplications(g.severity, main, g.complications ?? []).flatMap((c) => [
          [c],
          [c, ...allowed.filter((x) => x !== c)],
        ]);
  const ageDay = age * 365 + 200;
  return procedureSets.flatMap((ssList) =>
    secondarySets.map((others) => ({
      what: `${main} + [${others.join(' ')}] / [${ssList.join(' ')}] (${gender === '1' ? '男' : '女'} ${age} 岁)`,
      record: { gender, age, ageDay, zdList: [main, ...others], ssList },
    })),
  );
}

/** Both ends of the group's age range, for each sex the group admits. */
function patients(g: DrgGroup): [gender: '1' | '2', age: number][] {
  const genders: ('1' | '2')[] = g.sex === 1 ? ['1'] : g.sex === 2 ? ['2'] : ['1', '2'];
  return genders.flatMap((gender) =>
    [g.ageMin, g.ageMax].map((age) => [gender, age] as [typeof gender, number]),
  );
}

describe('demo DRG catalogue against the national CHS-DRG 1.1 rules', () => {
  it('codes every severe group with a complication of its level for each of its principal diagnoses', () => {
    const missing = DRG_GROUPS.filter((g) => g.severity > 0).flatMap((g) =>
      g.diagnoses
        .filter((main) => severityComplications(g.severity, main, g.complications ?? []).length === 0)
        .map((main) => `${g.code} ${main}`),
    );
    expect(missing).toEqual([]);
  });

  it('places every coding the generator can write for a group in exactly that group', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const g of DRG_GROUPS)
      g.diagnoses.forEach((main, index) => {
        for (const [gender, age] of patients(g))
          for (const c of codings(g, main, index, gender, age)) {
            checked++;
            const r = grouper.group(c.record);
            if (r.drg !== g.code || r.status !== GROUP_STATUS.grouped)
              wrong.push(
                `${g.code} ${c.what} → ${r.drg} ${r.status}: ${r.reasons.map((x) => x.text).join(' / ')}`,
              );
          }
      });
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(DRG_GROUPS.length * 4);
  });

  it('plants 高套编码 with a complication the national table counts at the sibling’s level, which moves the stay there', () => {
    const wrong: string[] = [];
    for (const [code, [siblingCode, dx]] of Object.entries(UPCODING)) {
      const g = byCode.get(code);
      const sibling = byCode.get(siblingCode);
      expect(g, code).toBeDefined();
      expect(sibling, siblingCode).toBeDefined();
      if (!g || !sibling) continue;
      expect(sibling.rw, `${siblingCode} weighs more than ${code}`).toBeGreaterThan(g.rw);
      g.diagnoses.forEach((main, index) => {
        const level = grouper.complicationLevel(main, dx);
        if (level !== (sibling.severity === 2 ? 'MCC' : 'CC'))
          wrong.push(
            `${code} ${main}: ${dx} counts as ${level ?? 'nothing'}, ${siblingCode} needs severity ${sibling.severity}`,
          );
        for (const [gender, age] of patients(g))
          for (const c of codings(g, main, index, gender, age)) {
            if (c.record.zdList.includes(dx)) continue;
            const r = grouper.group({ ...c.record, zdList: [...c.record.zdList, dx] });
            if (r.drg !== siblingCode) wrong.push(`${code} ${c.what} + ${dx} → ${r.drg}, not ${siblingCode}`);
          }
      });
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('screens for 低标入院 only groups coded with the minor condition alone (no complication)', () => {
    const rules = parse(readFileSync(path.join(root, 'seeds/fund/fund_violation_rules.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    const codes = (rules.find((r) => r.rule_code === 'low_standard_admission')?.drg_codes ?? '').split('|');
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(byCode.get(code)?.severity, code).toBe(0);
  });
});
