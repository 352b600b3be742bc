import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../ops/cli.ts';

// Four cases worked by hand: an MCC that counts, a CC excluded by the principal's table, a case the
// rules do not place, and one that fails the checks (no gender).
const CASES = `case_id,gender,age_years,age_days,birth_weight_g,length_of_stay,discharge_way,diagnoses,procedures,expected_mdc,expected_adrg,expected_drg,expected_status
T1,2,29,10813,,5,1,N06.300|B44.800x007,,MDCL,LS1,LS11,分组成功
T2,2,65,23748,,4,1,K25.501|K25.000,,MDCG,GU1,GU15,分组成功
T3,1,40,14600,,3,1,NOT.A.CODE,,0000,00,0000,无法入组
T4,,40,14600,,3,1,K25.501,,0000,00,0000,信息校验不通过
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hdw-group-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `hdw …` in this process and returns what it printed on standard output. */
async function hdw(...args: string[]): Promise<string> {
  let printed = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await buildProgram()
      .exitOverride()
      .parseAsync(['node', 'hdw', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return printed;
}

describe('hdw group', () => {
  it('writes one result per case of a CSV with its group, status and reasons', async () => {
    const input = path.join(dir, 'cases.csv');
    const output = path.join(dir, 'results.csv');
    await writeFile(input, CASES);
    await hdw('group', '--file', input, '--out', output);
    const rows: Record<string, string>[] = parse(await readFile(output, 'utf8'), { columns: true });
    expect(rows.map((r) => [r.case_id, r.mdc, r.adrg, r.drg, r.status, r.matches_expected])).toEqual([
      ['T1', 'MDCL', 'LS1', 'LS11', '分组成功', 'true'],
      ['T2', 'MDCG', 'GU1', 'GU15', '分组成功', 'true'],
      ['T3', '0000', '00', '0000', '无法入组', 'true'],
      ['T4', '0000', '00', '0000', '信息校验不通过', 'true'],
    ]);
    expect(rows[0]!.reasons).toContain(
      '次要诊断 B44.800x007 为MCC（严重并发症或合并症），排除表 15，计为并发症',
    );
    expect(rows[0]!.reasons).toContain('入组 LS11：伴严重并发症或合并症（B44.800x007 为MCC）');
    expect(rows[1]!.reasons).toContain('但与主诊断同属排除表 111，被排除');
    expect(rows[2]!.reasons).toContain('未进入任何MDC/ADRG，无法入组');
    expect(rows[3]!.reasons).toBe('病人性别为空');
  });

  it('groups one case from options and prints its reasons', async () => {
    const out = await hdw('group', '--gender', '女', '--age', '29', '--diagnoses', 'N06.300|B44.800x007');
    expect(out.split('\n')[0]).toBe('DRG LS11  ADRG LS1  MDCL  分组成功');
    expect(out).toContain('5. 入组 LS11：伴严重并发症或合并症（B44.800x007 为MCC）');
  });

  it('--what-if: removing the MCC lowers the group; adding a counted MCC raises the excluded case', async () => {
    const raised = await hdw(
      'group',
      '--gender',
      '2',
      '--age',
      '29',
      '--diagnoses',
      'N06.300,B44.800x007',
      '--what-if',
    );
    expect(raised).toContain('删除次要诊断 → LS15 (LS1, MDCL) 分组成功: B44.800x007\n');
    const excluded = await hdw(
      'group',
      '--gender',
      '2',
      '--age',
      '65',
      '--diagnoses',
      'K25.501,K25.000',
      '--what-if',
      '--limit',
      '3',
    );
    expect(excluded).toMatch(
      /增加次要诊断 → GU11 \(GU1, MDCG\) 分组成功: A01\.100, A01\.200, A01\.300 … \(共 \d+ 个\)/,
    );
    // Removing the excluded CC changes nothing, so it is not listed.
    expect(excluded).not.toContain('删除次要诊断');
  });

  it('refuses a case without diagnoses, and a bad number, with a clear message', async () => {
    await expect(hdw('group', '--gender', '1')).rejects.toThrow(/--diagnoses/);
    await expect(hdw('group', '--age', 'old', '--diagnoses', 'K25.501')).rejects.toThrow(
      /--age 'old' is not a number/,
    );
  });
});
