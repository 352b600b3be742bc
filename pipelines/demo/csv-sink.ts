import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import iconv from 'iconv-lite';
import { csvRow } from './csv-format.ts';
import type { DefectLog } from './defect-log.ts';

/** How a source system encodes its export files. */
export type FileEncoding = 'utf8' | 'utf8-bom' | 'gbk';

/** What the manifest records about one written file. */
export interface WrittenFile {
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly defects: Readonly<Record<string, number>>;
}

interface PendingCopy {
  readonly due: number;
  readonly line: string;
  readonly key: string;
}

const FLUSH_CHARS = 256 * 1024;

/** The root that writes nothing: lines are counted and defects logged, bytes dropped (a calibration run). */
export const DISCARD_ROOT = '';
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * One CSV export file, written line by line with back-pressure. It knows the
 * physical line number of every row so that injected defects can be recorded
 * in the ground truth at the moment they are written, and it hashes the exact
 * encoded bytes for the manifest.
 */
export class CsvSink {
  readonly file: string;
  private readonly stream: WriteStream | undefined;
  private readonly hash: Hash = createHash('sha256');
  private readonly encoding: FileEncoding;
  private readonly log: DefectLog;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private rowCount = 0;
  private byteCount = 0;
  private blocked = false;
  private readonly pending: PendingCopy[] = [];
  private readonly counts = new Map<string, number>();

  private constructor(root: string, file: string, encoding: FileEncoding, log: DefectLog) {
    this.file = file;
    this.encoding = encoding;
    this.log = log;
    this.stream =
      root === DISCARD_ROOT ? undefined : createWriteStream(join(root, file), { highWaterMark: 1024 * 1024 });
  }

  /** Opens `<root>/<file>` and writes the header line (and BOM when asked). */
  static async open(
    root: string,
    file: string,
    encoding: FileEncoding,
    header: readonly string[],
    log: DefectLog,
  ): Promise<CsvSink> {
    if (root !== DISCARD_ROOT) await mkdir(dirname(join(root, file)), { recursive: true });
    const sink = new CsvSink(root, file, encoding, log);
    if (encoding === 'utf8-bom' && sink.stream) sink.emit(UTF8_BOM);
    sink.append(csvRow(header));
    return sink;
  }

  /** Data lines written so far (header excluded). */
  get rows(): number {
    return this.rowCount;
  }

  /**
   * Writes one data line (already CSV-formatted, no line break). When
   * `defect` is given the line is recorded in the ground truth.
   * Returns the 1-based physical line number.
   */
  write(line: string, defect?: string, key = ''): number {
    this.append(line);
    this.rowCount++;
    const lineNo = this.rowCount + 1;
    if (defect !== undefined) this.record(lineNo, defect, key);
    if (this.pending.length > 0) this.releaseDue();
    return lineNo;
  }

  /** Re-emits `line` byte for byte after `afterRows` further rows (a `duplicate_row`). */
  duplicateLater(line: string, key: string, afterRows: number): void {
    this.pending.push({ due: this.rowCount + Math.max(1, afterRows), line, key });
  }

  /** Resolves once the underlying stream has room again. */
  async ready(): Promise<void> {
    const stream = this.stream;
    if (!this.blocked || !stream) return;
    await new Promise<void>((resolve) => stream.once('drain', resolve));
    this.blocked = false;
  }

  /** Flushes everything (including copies still pending) and closes the file. */
  async close(): Promise<WrittenFile> {
    while (this.pending.length > 0) {
      const copy = this.pending.shift();
      if (copy) this.write(copy.line, 'duplicate_row', copy.key);
    }
    this.flush();
    const stream = this.stream;
    if (stream)
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      });
    const defects: Record<string, number> = {};
    for (const [kind, n] of [...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
      defects[kind] = n;
    return {
      file: this.file,
      rows: this.rowCount,
      bytes: this.byteCount,
      sha256: this.hash.digest('hex'),
      defects,
    };
  }

  private record(lineNo: number, defect: string, key: string): void {
    this.counts.set(defect, (this.counts.get(defect) ?? 0) + 1);
    this.log.add({ file: this.file, line: lineNo, defect, recordKey: key });
  }

  private releaseDue(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0];
      if (!head || head.due > this.rowCount) return;
      this.pending.shift();
      this.append(head.line);
      this.rowCount++;
      this.record(this.rowCount + 1, 'duplicate_row', head.key);
    }
  }

  private append(line: string): void {
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
    if (this.bufferedChars >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    if (!this.stream) {
      this.buffer = [];
      this.bufferedChars = 0;
      return;
    }
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.bufferedChars = 0;
    const bytes = this.encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
    this.emit(bytes);
  }

  private emit(bytes: Buffer): void {
    this.hash.update(bytes);
    this.byteCount += bytes.length;
    if (this.stream && !this.stream.write(bytes)) this.blocked = true;
  }
}
