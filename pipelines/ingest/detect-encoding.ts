import { open } from 'node:fs/promises';

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

/**
 * Guesses a delivery's encoding from its first 256 KiB: a UTF-8 byte-order mark; else text that
 * decodes as UTF-8 (strictly, or with a few broken sequences among many valid multi-byte
 * characters: a UTF-8 file with a corrupted or GBK-pasted line, whose rows are then quarantined
 * as `invalid_encoding` rather than the whole file being misread as GBK); else GB18030, the
 * superset of the GBK that many Chinese HIS exports use.
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
      const text = new TextDecoder('utf-8').decode(head);
      let broken = 0;
      let valid = 0;
      for (let i = 0; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        if (c === 0xfffd) broken += 1;
        else if (c >= 0x80) valid += 1;
      }
      return valid >= 20 && broken * 10 < valid ? 'utf-8' : 'gb18030';
    }
  } finally {
    await handle.close();
  }
}
