import { describe, expect, it } from 'vitest';
import { createGrouper } from '../../core/drg-grouper/grouper.ts';
import { readRuleSet } from '../../core/drg-grouper/rule-set.ts';
import {
  groupStay,
  inputHash,
  orderedCodes,
  prepareStay,
  pregroupRecord,
  type PregroupInput,
} from '../../pipelines/pregroup/pregroup-record.ts';

// A front page coded out of order: the principal diagnosis (K25.501, flagged) has sequence 2, the
// main procedure (33.2200, flagged) sequence 2; a blank line and a repeated code are dropped.
const frontPage: PregroupInput = {
  hospitalCode: 'H1',
  visitId: 'V1',
  recordSource: 'front_page',
  gender: '2',
  ageYears: null,
  birthDate: '1960-03-15',
  admittedOn: '2025-03-14',
  diagnoses: [
    ['K25.000', false, 1],
    ['K25.501', true, 2],
    ['  ', false, 3],
    ['K25.000', false, 4],
  ],
  procedures: [
    ['96.7101', false, 1],
    ['33.2200', true, 2],
  ],
};

describe('pre-group record building', () => {
  it('orders diagnoses principal first and procedures main first, then by sequence', () => {
    expect(orderedCodes(frontPage.diagnoses)).toEqual(['K25.501', 'K25.000']);
    expect(orderedCodes(frontPage.procedures)).toEqual(['33.2200', '96.7101']);
    // No flag at all: sequence order; a missing sequence goes last.
    expect(
      orderedCodes([
        ['B', null, null],
        ['A', false, 2],
        ['C', false, 1],
      ]),
    ).toEqual(['C', 'A', 'B']);
  });

  it('takes the age on admission from the birth date when the age is not coded', () => {
    // 1960-03-15 → 2025-03-14: the 65th birthday is the next day, so 64 full years; 23 740 days.
    expect(pregroupRecord(frontPage)).toEqual({
      gender: '2',
      age: 64,
      ageDay: 23_740,
      weight: undefined,
      zdList: ['K25.501', 'K25.000'],
      ssList: ['33.2200', '96.7101'],
    });
    // A coded age wins; no birth date, no age in days.
    expect(pregroupRecord({ ...frontPage, ageYears: 65, birthDate: null })).toMatchObject({
      age: 65,
      ageDay: undefined,
    });
  });

  it('leaves a gender other than 1/2 empty, for the grouper to name in its check', () => {
    expect(pregroupRecord({ ...frontPage, gender: '9' }).gender).toBe('');
    expect(pregroupRecord({ ...frontPage, gender: null }).gender).toBe('');
  });

  it('hashes what grouping reads: a reordered delivery of the same codes is the same input', () => {
    const same = prepareStay({ ...frontPage, diagnoses: [...frontPage.diagnoses].reverse() });
    expect(same.inputHash).toBe(prepareStay(frontPage).inputHash);
    const other = prepareStay({ ...frontPage, diagnoses: [['K25.501', true, 1]] });
    expect(other.inputHash).not.toBe(prepareStay(frontPage).inputHash);
    expect(inputHash('settlement_list', pregroupRecord(frontPage))).not.toBe(prepareStay(frontPage).inputHash);
  });

  it('groups with the national rules and keeps the reasons as lines', () => {
    const grouper = createGrouper(readRuleSet());
    // K25.501 with K25.000: the CC is excluded by the principal's table, so GU15 (as group-command.test's T2).
    const row = groupStay(frontPage, prepareStay({ ...frontPage, procedures: [] }), (r) => grouper.group(r));
    expect(row).toMatchObject({ mdcCode: 'MDCG', adrgCode: 'GU1', drgCode: 'GU15', status: '分组成功' });
    expect(row.reasons.split('\n').length).toBeGreaterThan(2);
    expect(row.reasons).toContain('K25.000');
    // A newborn of 16 days: no birth weight is delivered, so the check fails and says why.
    const newborn = prepareStay({ ...frontPage, birthDate: '2024-12-25', admittedOn: '2025-01-10' });
    expect(newborn).toMatchObject({ record: { age: 0, ageDay: 16 } });
    const checked = groupStay(frontPage, newborn, (r) => grouper.group(r));
    expect(checked).toMatchObject({ drgCode: '0000', status: '信息校验不通过' });
    expect(checked.reasons).toContain('出生体重');
  });

  it('stores a record the grouper cannot take as 信息校验不通过 with the error, never throwing', () => {
    const row = groupStay(frontPage, prepareStay(frontPage), () => {
      throw new Error('boom');
    });
    expect(row).toMatchObject({ drgCode: null, status: '信息校验不通过', reasons: '病例信息无法分组：boom' });
  });
});
