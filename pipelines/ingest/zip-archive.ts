import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import * as zlib from 'node:zlib';

/** One member of a zip archive, as its central directory lists it. */
export interface ZipEntry {
  readonly name: string;
  readonly flags: number;
  /** 0 stored, 8 deflated: the only two an .xlsx uses. */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly headerOffset: number;
}

/**
 * A file that is not a readable zip archive, or a member whose bytes do not match the directory.
 * Not a DeliveryError: the ingest reports it as a delivery that could not be loaded.
 */
export class ZipFormatError extends Error {
  readonly code = 'E_ZIP_FORMAT';
}

/**
 * A zip archive read by random access through its central directory (the list at the end of the
 * file), the way unzip tools and Excel read it: a member is found by name, whatever order it was
 * stored in, and is inflated from its own offset as it is read. A truncated file (still being
 * written, cut off in transfer) has no directory at its end and fails at `openZipArchive`, before
 * anything is read. Close it when done.
 */
export interface ZipArchive {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  /**
   * A member's content as UTF-8 text, in chunks, inflated as it is read (memory holds one chunk).
   * Characters are decoded across chunk boundaries; the content is checked against the
   * directory's size and CRC-32 when it ends, and a mismatch throws.
   */
  text(entry: ZipEntry): AsyncGenerator<string>;
  close(): Promise<void>;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;

export async function openZipArchive(file: string): Promise<ZipArchive> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const entries = await readDirectory(handle, size);
    return {
      entries,
      text: (entry) => entryText(handle, size, entry),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead < length) throw new ZipFormatError('the file ends inside its zip structure (truncated)');
  return buffer;
}

async function readDirectory(handle: FileHandle, size: number): Promise<Map<string, ZipEntry>> {
  // The end record is the last 22 bytes plus a comment of at most 64 KB.
  const tailStart = Math.max(0, size - 22 - MAX16);
  const tail = await readAt(handle, tailStart, size - tailStart);
  let end = -1;
  for (let p = tail.length - 22; p >= 0 && end < 0; p -= 1)
    if (tail.readUInt32LE(p) === END_OF_DIRECTORY && p + 22 + tail.readUInt16LE(p + 20) <= tail.length)
      end = p;
  if (end < 0)
    throw new ZipFormatError(
      'not a complete .xlsx workbook: the zip directory at its end is missing (the file is truncated, still being written, or not a workbook)',
    );
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  let directoryEnd = tailStart + end;
  if (count === MAX16 || directorySize === MAX32 || directoryOffset === MAX32) {
    if (directoryEnd < 20) throw damaged('its ZIP64 locator is missing');
    const locator = await readAt(handle, directoryEnd - 20, 20);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw damaged('its ZIP64 locator is missing');
    const recordAt = Number(locator.readBigUInt64LE(8));
    if (recordAt + 56 > directoryEnd) throw damaged('its ZIP64 end record is out of place');
    const record = await readAt(handle, recordAt, 56);
    if (record.readUInt32LE(0) !== ZIP64_END_OF_DIRECTORY) throw damaged('its ZIP64 end record is missing');
    count = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
    directoryEnd = recordAt;
  }
  if (directoryOffset + directorySize > directoryEnd)
    throw damaged('its directory lies beyond the data (truncated or damaged)');
  const directory = await readAt(handle, directoryOffset, directorySize);
  const entries = new Map<string, ZipEntry>();
  for (let i = 0, p = 0; i < count; i += 1) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL_HEADER)
      throw damaged('its directory is damaged');
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const next = p + 46 + nameLength + extraLength + directory.readUInt16LE(p + 32);
    if (next > directory.length) throw damaged('its directory is damaged');
    const name = directory.toString('utf8', p + 46, p + 46 + nameLength);
    const sizes = zip64Sizes(
      directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength),
      directory.readUInt32LE(p + 24),
      directory.readUInt32LE(p + 20),
      directory.readUInt32LE(p + 42),
    );
    if (sizes.headerOffset + 30 + sizes.compressedSize > directoryOffset)
      throw damaged(`${name} lies beyond the data (truncated or damaged)`);
    entries.set(name, {
      name,
      flags: directory.readUInt16LE(p + 8),
      method: directory.readUInt16LE(p + 10),
      crc32: directory.readUInt32LE(p + 16),
      ...sizes,
    });
    p = next;
  }
  return entries;
}

/** Sizes and offset, from the ZIP64 extra field (id 1) where the 32-bit field is saturated. */
function zip64Sizes(
  extra: Buffer,
  size: number,
  compressedSize: number,
  headerOffset: number,
): { size: number; compressedSize: number; headerOffset: number } {
  const out = { size, compressedSize, headerOffset };
  if (size !== MAX32 && compressedSize !== MAX32 && headerOffset !== MAX32) return out;
  for (let q = 0; q + 4 <= extra.length; q += 4 + extra.readUInt16LE(q + 2)) {
    if (extra.readUInt16LE(q) !== 1) continue;
    const fieldEnd = Math.min(extra.length, q + 4 + extra.readUInt16LE(q + 2));
    let r = q + 4;
    for (const key of ['size', 'compressedSize', 'headerOffset'] as const) {
      if (out[key] !== MAX32) continue;
      if (r + 8 > fieldEnd) throw damaged('its ZIP64 sizes are damaged');
      out[key] = Number(extra.readBigUInt64LE(r));
      r += 8;
    }
    return out;
  }
  throw damaged('its ZIP64 sizes are missing');
}

async function* entryText(handle: FileHandle, fileSize: number, entry: ZipEntry): AsyncGenerator<string> {
  const { name } = entry;
  if (entry.flags & 1) throw new ZipFormatError(`${name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipFormatError(`${name} uses zip compression method ${entry.method}, which no .xlsx uses`);
  const local = await readAt(handle, entry.headerOffset, 30);
  if (local.readUInt32LE(0) !== LOCAL_HEADER) throw damaged(`${name} is not where its directory says`);
  const start = entry.headerOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > fileSize) throw damaged(`${name} is cut off (truncated)`);
  const decoder = new StringDecoder('utf8');
  let crc = 0;
  let length = 0;
  let first = true;
  if (entry.compressedSize > 0) {
    const raw = handle.createReadStream({
      start,
      end: start + entry.compressedSize - 1,
      autoClose: false,
      highWaterMark: 1 << 16,
    });
    // pipeline: a read error reaches the inflater, and ending the iteration early destroys both.
    const bytes: Readable = entry.method === 8 ? pipeline(raw, zlib.createInflateRaw(), () => {}) : raw;
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      length += chunk.length;
      if (length > entry.size) throw damaged(`${name} is longer than its directory says`);
      let text = decoder.write(chunk);
      if (first && text.length > 0) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      if (text.length > 0) yield text;
    }
  }
  const rest = decoder.end();
  if (length !== entry.size || crc !== entry.crc32) throw damaged(`${name} does not match its checksum`);
  if (rest.length > 0) yield rest;
}

function damaged(what: string): ZipFormatError {
  return new ZipFormatError(`a damaged .xlsx workbook: ${what}`);
}

/** zlib's CRC-32 (Node ≥ 20.15), or the same computed here on the older Node 20 the engines allow. */
const crc32: (data: Buffer, value: number) => number =
  typeof zlib.crc32 === 'function' ? (data, value) => zlib.crc32(data, value) : crc32Table;

let table: Uint32Array | undefined;
function crc32Table(data: Buffer, value: number): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = ~value >>> 0;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
