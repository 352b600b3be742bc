import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Period } from './calendar.ts';
import { csvRow } from './csv-format.ts';
import type { WrittenFile } from './csv-sink.ts';
import type { DefectLog } from './defect-log.ts';
import { DEFECT_RATES } from './defect-kinds.ts';
import type { HospitalProfile } from './hospitals.ts';

/** Size of a generated demo. */
export type DemoSize = 'small' | 'full';

const GROUND_TRUTH_DIR = '_ground_truth';

/**
 * Writes `_ground_truth/defects.csv` (every planted defect with its file and
 * physical line) and `_ground_truth/manifest.json` (seed, periods, hospitals,
 * and per file rows, defect counts and sha256). The manifest holds nothing
 * time-dependent, so the same seed yields the same bytes.
 */
export async function writeGroundTruth(
  outDir: string,
  seed: number,
  size: DemoSize,
  periods: readonly Period[],
  hospitals: readonly HospitalProfile[],
  files: readonly WrittenFile[],
  log: DefectLog,
): Promise<WrittenFile[]> {
  const dir = join(outDir, GROUND_TRUTH_DIR);
  await mkdir(dir, { recursive: true });
  const records = log.sorted();
  const lines = [
    'file,line,defect,record_key',
    ...records.map((r) => csvRow([r.file, String(r.line), r.defect, r.recordKey])),
  ];
  const defectsText = Buffer.from(lines.join('\n') + '\n', 'utf8');
  await writeFile(join(dir, 'defects.csv'), defectsText);
  const defectsFile: WrittenFile = {
    file: `${GROUND_TRUTH_DIR}/defects.csv`,
    rows: records.length,
    bytes: defectsText.length,
    sha256: createHash('sha256').update(defectsText).digest('hex'),
    defects: {},
  };
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const manifest = {
    generator: 'hospital-dw demo',
    seed,
    size,
    periods: periods.map((p) => p.key),
    hospitals: hospitals.map((h) => ({
      code: h.code,
      name: h.name,
      level: h.levelName,
      level_code: String(h.level),
      region: h.region,
      encoding: h.encoding === 'gbk' ? 'GBK' : h.encoding === 'utf8-bom' ? 'UTF-8 with BOM' : 'UTF-8',
      header_language: h.headerLanguage,
    })),
    defect_rates: DEFECT_RATES,
    totals: {
      files: sorted.length + 1,
      rows: sorted.reduce((n, f) => n + f.rows, 0),
      defects: records.length,
    },
    files: [...sorted, defectsFile].map((f) => ({
      file: f.file,
      rows: f.rows,
      bytes: f.bytes,
      sha256: f.sha256,
      defects: f.defects,
    })),
  };
  const manifestText = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  await writeFile(join(dir, 'manifest.json'), manifestText);
  return [
    defectsFile,
    {
      file: `${GROUND_TRUTH_DIR}/manifest.json`,
      rows: 0,
      bytes: manifestText.length,
      sha256: createHash('sha256').update(manifestText).digest('hex'),
      defects: {},
    },
  ];
}
