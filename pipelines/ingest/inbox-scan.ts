import { constants } from 'node:fs';
import { lstat, open, readdir, realpath, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Delivery } from './load-batch.ts';
import { sourceId, type SourceDefinition } from './source-definition.ts';

/** What identifies a file's content between looking at it and moving it: same inode, size, mtime. */
export interface FileIdentity {
  /** Device and inode as text (64-bit; JSON-safe). */
  readonly dev: string;
  readonly ino: string;
  readonly size: number;
  /** Modification time in nanoseconds, as text; `mtimeMs` for arithmetic. */
  readonly mtimeNs: string;
  readonly mtimeMs: number;
}

/** A completion marker a sender wrote for a delivery: `<file>.done`, or its line in a `.manifest`. */
export interface CompletionMarker {
  /** Path inside the inbox of the marker file. */
  readonly relativePath: string;
  readonly kind: 'done' | 'manifest';
  /** Declared SHA-256 (lower-case hex), when the marker gives one. */
  readonly sha256?: string;
  /** Declared size in bytes (manifests). */
  readonly bytes?: number;
}

/** A delivery found ready in the inbox, with what it looked like when listed. */
export interface InboxDelivery extends Delivery {
  readonly listed: FileIdentity;
  readonly marker?: CompletionMarker;
}

/** An inbox entry refused without being read: a link, not a regular file, or a marker mismatch. */
export interface RefusedEntry {
  readonly relativePath: string;
  /** The hospital or publisher folder it sits in. */
  readonly hospitalCode: string;
  readonly code: 'E_LINK' | 'E_NOT_FILE' | 'E_OUTSIDE' | 'E_MARKER';
  readonly reason: string;
  /** Set when it is (or is named like) a delivery of a declared source. */
  readonly delivery?: Delivery;
  /** True when the entry is a symbolic link: it is moved as a link, never followed. */
  readonly link: boolean;
}

export interface InboxScan {
  /** Ready deliveries in load order: by source dependency, then hospital, then period. */
  readonly deliveries: readonly InboxDelivery[];
  /** Files left for a later run (upload in progress, waiting for the quiet period or a marker). */
  readonly waiting: readonly { readonly file: string; readonly reason: string }[];
  readonly refused: readonly RefusedEntry[];
  readonly unrecognised: readonly { readonly file: string; readonly reason: string }[];
  /** Manifests seen (with the files they list), moved to `_processed/` once none of those is left. */
  readonly manifests: readonly { readonly relativePath: string; readonly files: readonly string[] }[];
}

export interface ScanOptions {
  /** Seconds a file without a marker must stay unmodified before it is read (default 0). */
  readonly quietSeconds?: number;
  /** Hospitals and publishers that send completion markers: their files wait for one. */
  readonly markerSenders?: ReadonlySet<string>;
  /** Declared publisher codes; when given, a publisher folder not among them is not read. */
  readonly publishers?: ReadonlySet<string>;
  /** The clock, for tests; default `Date.now()`. */
  readonly now?: number;
}

export const memberFolder = /^H\d{11}$/;
export const publisherFolder = /^P\d{6}$/;

/** Names of uploads still in progress (SFTP/WinSCP temp names, dot-files, Office lock files). */
const inProgress = /^\.|^~\$|\.(part|tmp|filepart)$/i;
const doneSuffix = /\.done$/i;
const manifestSuffix = /\.manifest$/i;
const sha256Hex = /^[0-9a-f]{64}$/i;

/**
 * Lists the inbox (`<inbox>/<hospital_code | publisher_code>/<system>/<file>`) and sorts what it
 * finds: ready deliveries, files to wait for, entries to refuse and files matching no source.
 * Nothing is read here except completion markers; links are never followed (every level is looked
 * at with lstat). A file is ready when its completion marker arrived (and its declared size
 * matches), or — unless its folder holds a marker for a file that is there, or its sender is one that sends them — when it has
 * not been modified for the quiet period.
 */
export async function scanInbox(
  inbox: string,
  sources: readonly SourceDefinition[],
  options: ScanOptions = {},
): Promise<InboxScan> {
  const quietMs = (options.quietSeconds ?? 0) * 1000;
  const now = options.now ?? Date.now();
  const deliveries: InboxDelivery[] = [];
  const waiting: { file: string; reason: string }[] = [];
  const refused: RefusedEntry[] = [];
  const unrecognised: { file: string; reason: string }[] = [];
  const manifests: InboxScan['manifests'][number][] = [];
  const link = (relativePath: string, hospitalCode: string, what: string): RefusedEntry => ({
    relativePath,
    hospitalCode,
    code: 'E_LINK',
    reason: `${relativePath}: is a symbolic link${what}; deliveries must be regular files inside their own folder (the link was not followed)`,
    link: true,
  });

  for (const owner of await listDir(inbox)) {
    if (owner.startsWith('_') || owner.startsWith('.')) continue;
    const ownerDir = path.join(inbox, owner);
    const ownerStat = await lstat(ownerDir).catch(() => undefined);
    if (!ownerStat) continue;
    if (ownerStat.isSymbolicLink()) {
      refused.push(link(owner, owner, ' (as a hospital folder)'));
      continue;
    }
    if (!ownerStat.isDirectory()) continue;
    const kind = memberFolder.test(owner) ? 'member' : publisherFolder.test(owner) ? 'publisher' : undefined;
    const ownerReal = await realpath(ownerDir).catch(() => ownerDir);
    const systems = await listDir(ownerDir).catch((error: NodeJS.ErrnoException) => {
      unrecognised.push({
        file: owner,
        reason: `${owner}: cannot be listed (${error.code ?? error.message})`,
      });
      return [] as string[];
    });
    for (const system of systems) {
      const systemDir = path.join(ownerDir, system);
      const systemStat = await lstat(systemDir).catch(() => undefined);
      if (!systemStat) continue;
      const systemRel = `${owner}/${system}`;
      if (systemStat.isSymbolicLink()) {
        refused.push(link(systemRel, owner, ' (as a system folder)'));
        continue;
      }
      if (!systemStat.isDirectory()) {
        if (!inProgress.test(system))
          unrecognised.push({
            file: systemRel,
            reason: `${systemRel}: not inside a system folder (<code>/<system>/<file>)`,
          });
        continue;
      }
      const names = await listDir(systemDir).catch((error: NodeJS.ErrnoException) => {
        unrecognised.push({
          file: systemRel,
          reason: `${systemRel}: cannot be listed (${error.code ?? error.message})`,
        });
        return [] as string[];
      });
      const markers = await readMarkers(systemDir, systemRel, names);
      manifests.push(...markers.manifests);
      for (const name of names) {
        const relativePath = `${systemRel}/${name}`;
        const file = path.join(systemDir, name);
        const stat = await lstat(file, { bigint: true }).catch(() => undefined);
        if (!stat) continue; // gone since listed
        if (stat.isSymbolicLink()) {
          refused.push(link(relativePath, owner, ''));
          continue;
        }
        if (doneSuffix.test(name) || manifestSuffix.test(name)) continue; // markers, read above
        if (inProgress.test(name)) {
          waiting.push({ file: relativePath, reason: 'upload in progress (temporary name)' });
          continue;
        }
        const match = recognise(sources, owner, kind, system, name);
        if ('reason' in match) {
          unrecognised.push({ file: relativePath, reason: `${relativePath}: ${match.reason}` });
          continue;
        }
        const { source, period } = match;
        const delivery: Delivery = { source, file, relativePath, hospitalCode: owner, period };
        if (!stat.isFile()) {
          refused.push({
            relativePath,
            hospitalCode: owner,
            code: 'E_NOT_FILE',
            reason: `${relativePath}: is not a regular file (${entryKind(stat)}); it was not read`,
            delivery,
            link: false,
          });
          continue;
        }
        if (stat.nlink > 1n) {
          refused.push({
            relativePath,
            hospitalCode: owner,
            code: 'E_LINK',
            reason: `${relativePath}: is a hard link (its content has ${stat.nlink} names); deliver a copy of the file`,
            delivery,
            link: false,
          });
          continue;
        }
        const real = await realpath(file).catch(() => file);
        if (!real.startsWith(ownerReal + path.sep)) {
          refused.push({
            relativePath,
            hospitalCode: owner,
            code: 'E_OUTSIDE',
            reason: `${relativePath}: resolves outside its folder ${owner}/; it was not read`,
            delivery,
            link: false,
          });
          continue;
        }
        if (kind === 'publisher' && options.publishers && !options.publishers.has(owner)) {
          unrecognised.push({
            file: relativePath,
            reason: `${relativePath}: publisher ${owner} is not declared in seeds/reference/publishers.csv`,
          });
          continue;
        }
        const listed = identity(stat);
        const quiet = now - Number(stat.mtimeMs) >= quietMs;
        const marker = markers.byName.get(name);
        if (marker) {
          if (marker.bytes !== undefined && marker.bytes !== listed.size) {
            if (quiet)
              refused.push({
                relativePath,
                hospitalCode: owner,
                code: 'E_MARKER',
                reason: `${relativePath}: has ${listed.size} bytes but its marker ${marker.relativePath} declares ${marker.bytes}`,
                delivery,
                link: false,
              });
            else
              waiting.push({
                file: relativePath,
                reason: `does not match its marker yet (${listed.size} of ${marker.bytes} bytes)`,
              });
            continue;
          }
          deliveries.push({ ...delivery, listed, marker });
        } else if (markers.used || options.markerSenders?.has(owner)) {
          waiting.push({
            file: relativePath,
            reason: `waiting for its completion marker (${name}.done or a manifest)`,
          });
        } else if (!quiet) {
          waiting.push({
            file: relativePath,
            reason: `modified ${Math.max(0, Math.round((now - Number(stat.mtimeMs)) / 1000))} s ago; read once unchanged for ${quietMs / 1000} s`,
          });
        } else {
          deliveries.push({ ...delivery, listed });
        }
      }
    }
  }
  const order = loadOrder(sources);
  deliveries.sort(
    (a, b) =>
      order.get(sourceId(a.source))! - order.get(sourceId(b.source))! ||
      a.hospitalCode.localeCompare(b.hospitalCode) ||
      a.period.localeCompare(b.period) ||
      a.relativePath.localeCompare(b.relativePath),
  );
  return { deliveries, waiting, refused, unrecognised, manifests };
}

/** Which declared source a file is, for a folder of this kind, or why it is none. */
function recognise(
  sources: readonly SourceDefinition[],
  owner: string,
  kind: 'member' | 'publisher' | undefined,
  system: string,
  name: string,
): { source: SourceDefinition; period: string } | { reason: string } {
  // A workbook is the same delivery as its CSV export: patterns name the .csv form.
  const asCsv = name.replace(/\.xlsx$/i, '.csv');
  const matching = sources.filter((s) => s.system === system && s.filePattern.test(asCsv));
  if (kind === undefined)
    return {
      reason: `folder ${owner} is neither a member hospital code (H + 11 digits) nor a publisher code (P + 6 digits)`,
    };
  const source = matching.find((s) => (s.deliveredBy ?? 'member') === kind);
  if (source) return { source, period: source.filePattern.exec(asCsv)?.groups?.period ?? 'current' };
  const other = matching[0];
  if (other)
    return {
      reason:
        kind === 'member'
          ? `${sourceId(other)} is delivered by a publisher (<inbox>/P + division code/${system}/), not by a member hospital`
          : `${sourceId(other)} is delivered by member hospitals (<inbox>/<hospital code>/${system}/), not by a publisher`,
    };
  return { reason: `matches no declared ${system} source` };
}

interface FolderMarkers {
  /**
   * The folder holds a marker for a file that is there: its files are read by marker only. A stray
   * marker (its file gone or never sent) holds nothing back.
   */
  readonly used: boolean;
  readonly byName: ReadonlyMap<string, CompletionMarker>;
  readonly manifests: readonly { readonly relativePath: string; readonly files: readonly string[] }[];
}

/**
 * Reads the completion markers of one system folder: `<file>.done` (empty, or the file's SHA-256
 * as `sha256sum` prints it) and `*.manifest` (lines `<sha256> <bytes> <file name>`, `#` comments).
 * Markers that are links are not read (they are refused as links by the scan).
 */
async function readMarkers(dir: string, relDir: string, names: readonly string[]): Promise<FolderMarkers> {
  const byName = new Map<string, CompletionMarker>();
  const manifests: { relativePath: string; files: string[] }[] = [];
  for (const name of names) {
    const isDone = doneSuffix.test(name);
    if (!isDone && !manifestSuffix.test(name)) continue;
    const text = await readSmallRegularFile(path.join(dir, name));
    if (text === undefined) continue;
    const relativePath = `${relDir}/${name}`;
    if (isDone) {
      const sha = text.trim().split(/\s+/)[0] ?? '';
      byName.set(name.slice(0, -'.done'.length), {
        relativePath,
        kind: 'done',
        ...(sha256Hex.test(sha) && { sha256: sha.toLowerCase() }),
      });
      continue;
    }
    const files: string[] = [];
    manifests.push({ relativePath, files });
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([0-9a-fA-F]{64})\s+(\d+)\s+(.+?)\s*$/.exec(line);
      if (!m || m[3]!.includes('/')) continue;
      files.push(m[3]!);
      byName.set(m[3]!, { relativePath, kind: 'manifest', sha256: m[1]!.toLowerCase(), bytes: Number(m[2]) });
    }
  }
  const present = new Set(names);
  const used = [...byName.keys()].some((file) => present.has(file));
  return { used, byName, manifests };
}

/** A marker's text (at most 1 MB), opened without following a link; undefined if not a regular file. */
async function readSmallRegularFile(file: string): Promise<string | undefined> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => undefined,
  );
  if (!handle) return undefined;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(stat.size, 1 << 20));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The identity of a path (not following a link), or undefined when it is gone. */
export async function identify(file: string): Promise<FileIdentity | undefined> {
  const stat = await lstat(file, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  return stat && identity(stat);
}

/** True when two identities are the same file with the same size and modification time. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

function identity(stat: import('node:fs').BigIntStats): FileIdentity {
  return {
    dev: String(stat.dev),
    ino: String(stat.ino),
    size: Number(stat.size),
    mtimeNs: String(stat.mtimeNs),
    mtimeMs: Number(stat.mtimeMs),
  };
}

function entryKind(stat: import('node:fs').BigIntStats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** Rank of each source so that every source loads after the ones it names in `after`. */
export function loadOrder(sources: readonly SourceDefinition[]): Map<string, number> {
  const rank = new Map<string, number>();
  const visit = (source: SourceDefinition, trail: string[]): number => {
    const id = sourceId(source);
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (trail.includes(id))
      throw new Error(`sources depend on each other in a cycle: ${[...trail, id].join(' → ')}`);
    const deps = (source.after ?? [])
      .map((dep) => sources.find((s) => sourceId(s) === dep))
      .filter((s) => s !== undefined);
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => visit(dep, [...trail, id])));
    rank.set(id, value);
    return value;
  };
  for (const source of sources) visit(source, []);
  return rank;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

/**
 * Dates every regular file under `dir` (links are left alone) `seconds` into the past: for a
 * writer that knows its files are complete — the demo generator's output — so that they are read
 * at once rather than after the quiet period a real upload needs.
 */
export async function markComplete(dir: string, seconds: number): Promise<void> {
  const when = new Date(Date.now() - (seconds + 1) * 1000);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) await utimes(path.join(entry.parentPath, entry.name), when, when);
  }
}
