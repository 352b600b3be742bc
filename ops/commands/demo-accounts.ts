import { writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Config } from '../../core/config/config.ts';
import { addAppUser, countAppUsers, type AppUserRole } from '../../core/security/app-users.ts';

/** The staff accounts of the demo: one per kind of user the web application serves. */
const staffAccounts: ReadonlyArray<{ username: string; role: AppUserRole; displayName: string }> = [
  { username: 'dean', role: 'manager', displayName: '院长' },
  { username: 'insurance', role: 'analyst', displayName: '医保办' },
  { username: 'steward', role: 'steward', displayName: '数据管理员' },
];

/** Where the demo accounts' passwords are written: `<HDW_DATA_DIR>/demo-accounts.txt`. */
export function demoAccountsFile(config: Config): string {
  return path.join(config.HDW_DATA_DIR, 'demo-accounts.txt');
}

/**
 * For `hdw start`: when no web user exists yet, creates the demo accounts (院长 `dean` as manager,
 * 医保办 `insurance` as analyst, 数据管理员 `steward` as steward, and one member per hospital of
 * the alliance in ref.hospitals, named by its code in lower case) with generated passwords, and
 * writes them once to `demo-accounts.txt` in the data folder (mode 0600). Returns the lines the
 * serve banner shows in place of the token hint.
 */
export async function ensureDemoAccounts(pool: pg.Pool, config: Config): Promise<string[]> {
  const file = demoAccountsFile(config);
  if ((await countAppUsers(pool)) > 0) {
    return existsSync(file)
      ? [`sign in:      with the demo accounts in ${file}`]
      : [`sign in:      with your account (npx hdw user list; npx hdw user add <name> --role analyst)`];
  }
  const { rows: hospitals } = await pool.query<{ hospital_code: string; hospital_name: string }>(
    'select hospital_code, hospital_name from ref.hospitals where alliance_id = $1 order by hospital_code',
    [config.HDW_ALLIANCE_ID],
  );
  const accounts = [
    ...staffAccounts,
    ...hospitals.map((h) => ({
      username: h.hospital_code.toLowerCase(),
      role: 'member' as const,
      displayName: h.hospital_name,
      hospitalCode: h.hospital_code,
    })),
  ];
  const lines: string[] = [];
  for (const account of accounts) {
    const { password } = await addAppUser(pool, account);
    lines.push([account.username, password, account.role, account.displayName].join('\t'));
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    [
      '# 演示账号 demo accounts of hdw start (generated once; change them with hdw user passwd <name>)',
      ['# 用户名', '密码', '角色', '名称'].join('\t'),
      ...lines,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return [
    `sign in:      demo accounts (用户名 / 密码) written to ${file}:`,
    ...lines.slice(0, staffAccounts.length + 1).map((line) => {
      const [username, password, , name] = line.split('\t');
      return `                ${name} ${username} / ${password}`;
    }),
    `                … and one member account per hospital (see the file)`,
  ];
}
