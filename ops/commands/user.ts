import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { HdwError } from '../../core/errors.ts';
import {
  addAppUser,
  listAppUsers,
  removeAppUser,
  setAppUserPassword,
} from '../../core/security/app-users.ts';
import { withWarehouse } from '../context.ts';

/**
 * `hdw user add|remove|passwd|list`: the web application's users (ops.app_users). Passwords come
 * from standard input (`--password-stdin`, first line), a hidden prompt on a terminal, or are
 * generated and printed once; they are stored only as scrypt hashes, and `list` never shows them.
 */

/** Where a command reads a password from and writes its output; tests pass their own. */
export interface UserCommandIo {
  write(text: string): void;
  /** Standard input's first line (`--password-stdin`). */
  readStdin(): Promise<string>;
  /** A hidden prompt, or undefined when there is no terminal to ask on. */
  prompt?(question: string): Promise<string>;
}

export const processIo: UserCommandIo = {
  write: (text) => void process.stdout.write(text),
  async readStdin() {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
  ...(process.stdin.isTTY ? { prompt: hiddenPrompt } : {}),
};

export interface PasswordSource {
  readonly passwordStdin?: boolean;
}

/** The password given (stdin or prompt, asked twice), or undefined: generate one. */
async function passwordFrom(opts: PasswordSource, io: UserCommandIo): Promise<string | undefined> {
  if (opts.passwordStdin) {
    const line = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
    if (line === '') throw new HdwError('E_USAGE', '--password-stdin: standard input held no password');
    return line;
  }
  if (!io.prompt) return undefined;
  const first = await io.prompt('密码 password (empty: generate one): ');
  if (first === '') return undefined;
  const again = await io.prompt('再次输入 repeat: ');
  if (again !== first) throw new HdwError('E_USAGE', '两次输入的密码不一致 (the passwords differ)');
  return first;
}

/** `hdw user add <name> --role R [--hospital H] [--display 名] [--password-stdin]` */
export async function userAddCommand(
  username: string,
  opts: PasswordSource & { readonly role: string; readonly hospital?: string; readonly display?: string },
  io: UserCommandIo = processIo,
): Promise<void> {
  const password = await passwordFrom(opts, io);
  const added = await withWarehouse((w) =>
    addAppUser(w.pool, {
      username,
      role: opts.role,
      ...(opts.hospital ? { hospitalCode: opts.hospital } : {}),
      ...(opts.display ? { displayName: opts.display } : {}),
      ...(password !== undefined ? { password } : {}),
    }),
  );
  const u = added.user;
  io.write(
    `用户 ${u.username}（${u.displayName}）已添加 added: role ${u.role}${u.hospitalCode ? `, hospital ${u.hospitalCode} ${u.hospitalName ?? ''}` : ''}\n` +
      (added.generated ? `password (shown once): ${added.password}\n` : ''),
  );
}

/** `hdw user remove <name>` */
export async function userRemoveCommand(username: string, io: UserCommandIo = processIo): Promise<void> {
  const removed = await withWarehouse((w) => removeAppUser(w.pool, username));
  if (!removed) throw new HdwError('E_USAGE', `没有用户 ${username} (no such user)`);
  io.write(`用户 ${username} 已删除 removed\n`);
}

/** `hdw user passwd <name> [--password-stdin]` */
export async function userPasswdCommand(
  username: string,
  opts: PasswordSource,
  io: UserCommandIo = processIo,
): Promise<void> {
  const given = await passwordFrom(opts, io);
  const password = await withWarehouse((w) => setAppUserPassword(w.pool, username, given));
  io.write(
    `用户 ${username} 的密码已更改 password changed\n` +
      (given === undefined ? `password (shown once): ${password}\n` : ''),
  );
}

/** `hdw user list`: name, display name, role, hospital, state; never the hashes. */
export async function userListCommand(io: UserCommandIo = processIo): Promise<void> {
  const users = await withWarehouse((w) => listAppUsers(w.pool));
  const lines = users.map((u) =>
    [
      u.username,
      u.displayName,
      u.role,
      u.hospitalCode ?? '',
      u.hospitalName ?? '',
      u.disabled ? '停用' : '启用',
      u.updatedAt.toISOString().slice(0, 19).replace('T', ' '),
    ].join('\t'),
  );
  io.write(
    [['用户名', '姓名', '角色', '医院编码', '医院', '状态', '更新时间'].join('\t'), ...lines, `（${users.length} 个用户）`].join(
      '\n',
    ) + '\n',
  );
}

/** Reads a line on the terminal without echoing it. */
function hiddenPrompt(question: string): Promise<string> {
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    }),
  );
}
