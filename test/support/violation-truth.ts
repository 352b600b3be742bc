import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { truth } from './demo-truth.ts';
import { drgTruth } from './drg-truth.ts';
import { ruleFor } from './ground-truth.ts';

/** One violation the demo planted, as the flags mart should show it. */
export interface PlantedViolation {
  readonly ruleCode: string;
  readonly hospital: string;
  readonly visitId: string;
  /**
   * False for a violation the generator wrote without planting it: two identical charge lines (same
   * visit, item, time and quantity) it happened to write, found by reading the delivered files.
   */
  readonly planted: boolean;
  /** Why it cannot be found when a blocking data-quality rule quarantined a row it needs ('' if findable). */
  readonly lostAtIngest: string;
  /**
   * Why the rule, as documented, does not flag it although it was planted ('' if it does): an
   * upcoded stay whose files show ICU or ventilation time or a procedure, which the 高套编码 screen
   * counts as support for the complication (the generator draws those independently of the plant).
   */
  readonly excludedByRule?: string;
}

/**
 * The violations a generated demo planted, per screening rule, from its ground truth and files
 * alone, never from the warehouse: `scenarios.csv` (split admissions, upcoding, low-standard
 * admissions, duplicate charges keyed by the duplicate line, over-priced inpatient lines), every
 * `price_spike` line of `defects.csv` (outpatient ones are over-priced charges too, not listed as
 * scenarios), and the outliers as drg-truth.ts classifies each stay from the files. A planted case is
 * lost at ingest when a row it needs was quarantined by a blocking rule (`defects.csv`, severities of
 * `dq_rules.csv`): for a stay, any row keyed by its visit id (front page, its diagnoses, the HIS stay);
 * for a split admission, the earlier stay's too; for a duplicate charge, the duplicate line or the line
 * it copies (the line before it). Identical charge lines the generator wrote without planting them
 * are violations too (`planted: false`), found in the delivered charge-line files.
 */
export function violationTruth(dir: string, seedsDir: string): PlantedViolation[] {
  const blocking = new Set(
    (
      parse(readFileSync(path.join(seedsDir, 'reference', 'dq_rules.csv'), 'utf8'), {
        columns: true,
      }) as Record<string, string>[]
    )
      .filter((r) => r.severity === 'blocking')
      .map((r) => r.rule_id),
  );
  const defects = truth(dir, 'defects.csv');
  const quarantinedKeys = new Map<string, string>();
  for (const d of defects) {
    if (!blocking.has(ruleFor[d.defect ?? ''] ?? d.defect ?? '')) continue;
    const key = (d.record_key ?? '').split(':')[0] ?? '';
    quarantinedKeys.set(`${d.file?.split('/')[0]}|${key}`, d.defect ?? '');
  }
  const lost = (hospital: string, ...keys: string[]): string =>
    keys
      .map((k) => quarantinedKeys.get(`${hospital}|${k}`))
      .filter(Boolean)
      .join(', ');

  const stays = new Map(truth(dir, 'cases.csv').map((c) => [`${c.hospital_code}|${c.visit_id}`, c]));
  const out: PlantedViolation[] = [];
  for (const s of truth(dir, 'scenarios.csv')) {
    const hospital = s.hospital_code ?? '';
    const key = s.key ?? '';
    switch (s.scenario) {
      case 'split_admission': {
        const first = (s.detail ?? '').replace('前次住院', '').trim();
        out.push({
          ruleCode: 'split_admission',
          hospital,
          visitId: key,
          lostAtIngest: lost(hospital, key, first),
          planted: true,
        });
        break;
      }
      case 'upcoding': {
        const stay = stays.get(`${hospital}|${key}`);
        const support = [
          stay?.icu_hours ? `ICU ${stay.icu_hours} h` : '',
          stay?.vent_hours ? `呼吸机 ${stay.vent_hours} h` : '',
          stay?.main_oprn_code ? `手术 ${stay.main_oprn_code}` : '',
        ].filter(Boolean);
        out.push({
          ruleCode: s.scenario,
          hospital,
          visitId: key,
          lostAtIngest: lost(hospital, key),
          planted: true,
          excludedByRule: support.join('、'),
        });
        break;
      }
      case 'low_standard_admission':
        out.push({
          ruleCode: s.scenario,
          hospital,
          visitId: key,
          lostAtIngest: lost(hospital, key),
          planted: true,
        });
        break;
      case 'duplicate_charge': {
        const [visitId = ''] = (s.detail ?? '').split(' ');
        // Line ids are a prefix and a running number: the copied line is the one numbered before.
        const [, prefix = '', digits = '0'] = /^(\D*)(\d+)$/.exec(key) ?? [];
        const source = prefix + String(BigInt(digits) - 1n).padStart(digits.length, '0');
        out.push({
          ruleCode: 'duplicate_charge',
          hospital,
          visitId,
          lostAtIngest: lost(hospital, key, source),
          planted: true,
        });
        break;
      }
      default:
        break;
    }
  }
  // Every price_spike line (a warning: the line loads), inpatient and outpatient, by its visit.
  const spikes = defects.filter((d) => d.defect === 'price_spike');
  const byFile = new Map<string, number[]>();
  for (const d of spikes) byFile.set(d.file ?? '', [...(byFile.get(d.file ?? '') ?? []), Number(d.line)]);
  for (const [file, lines] of byFile) {
    const rows = parse(readFileSync(path.join(dir, file)), { relax_column_count: true }) as string[][];
    const hospital = file.split('/')[0] ?? '';
    for (const line of lines) {
      const visitId = rows[line - 1]?.[2] ?? '';
      out.push({ ruleCode: 'over_priced_charge', hospital, visitId, lostAtIngest: '', planted: true });
    }
  }
  for (const c of drgTruth(dir, seedsDir).cases)
    if (c.outlier === 'high' || c.outlier === 'low')
      out.push({
        ruleCode: `${c.outlier}_outlier`,
        hospital: c.hospital,
        visitId: c.visitId,
        lostAtIngest: '',
        planted: true,
      });
  // Identical lines the generator wrote without planting them: every loaded line (blocking defects
  // quarantined, exact duplicate rows dropped) by visit, item, time and quantity.
  const dropped = new Set(
    defects
      .filter((d) => d.defect === 'duplicate_row' || blocking.has(ruleFor[d.defect ?? ''] ?? d.defect ?? ''))
      .map((d) => `${d.file}:${d.line}`),
  );
  const manifest = JSON.parse(readFileSync(path.join(dir, '_ground_truth', 'manifest.json'), 'utf8')) as {
    files: { file: string }[];
  };
  for (const { file } of manifest.files.filter((f) => /\/his\/charge_lines_[\d-]+\.csv$/.test(f.file))) {
    const hospital = file.split('/')[0] ?? '';
    const seen = new Map<string, number>();
    (parse(readFileSync(path.join(dir, file)), { relax_column_count: true }) as string[][]).forEach(
      (r, i) => {
        if (i === 0 || dropped.has(`${file}:${i + 1}`)) return;
        // line_id, visit_type, visit_id, charge_time, item_code, item_name, category, quantity, …
        const k = [r[2], r[4], r[3], Number(r[7])].join('|');
        seen.set(k, (seen.get(k) ?? 0) + 1);
      },
    );
    for (const [k, n] of seen)
      if (n > 1)
        out.push({
          ruleCode: 'duplicate_charge',
          hospital,
          visitId: k.split('|')[0] ?? '',
          lostAtIngest: '',
          planted: false,
        });
  }
  // One per rule and visit (a visit with two over-priced lines is one flag).
  const seen = new Set<string>();
  return out.filter((v) => {
    const k = `${v.ruleCode}|${v.hospital}|${v.visitId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
