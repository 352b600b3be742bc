import { open } from 'node:fs/promises';

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

/**
 * Guesses a delivery's encoding from its first 256 KiB: a UTF-8 byte-order mark; else text that
 * decodes as strict UTF-8; else GB18030, the superset of the GBK that many Chinese HIS exports use.
 */
export async function detectEncoding(file: string): Promise<FileEncoding> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
    try {
      // stream: true lets a multi-byte character cut at the end of the sample pass.
      new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: bytesRead === buffer.length });
      return 'utf-8';
    } catch {
      return 'gb18030';
    }
  } finally {
    await handle.close();
  }
}
