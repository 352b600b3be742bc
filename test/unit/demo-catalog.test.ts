import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CARE_PROFILES } from '../../pipelines/demo/catalog/care-profiles.ts';
import { STANDARD_ITEMS } from '../../pipelines/demo/catalog/charge-items.ts';
import {
  CC_SUPPORTING_ITEMS,
  COMORBIDITIES,
  DIAGNOSES,
  INVALID_DIAGNOSIS_CODES,
} from '../../pipelines/demo/catalog/diagnoses.ts';
import { DRG_GROUPS } from '../../pipelines/demo/catalog/drg-groups.ts';
import { HOSPITAL_DEPARTMENTS } from '../../pipelines/demo/catalog/hospital-departments.ts';
import { PROCEDURES } from '../../pipelines/demo/catalog/procedures.ts';
import { STANDARD_DEPARTMENTS } from '../../pipelines/demo/catalog/standard-departments.ts';
import { HospitalDictionary } from '../../pipelines/demo/hospital-dictionary.ts';
import { HOSPITALS } from '../../pipelines/demo/hospitals.ts';

const root = path.resolve(import.meta.dirname, '../..');
// The reference tables beside the checkout (../shared/datasets); tests that need them skip where absent.
const CHS_DRG = path.resolve(root, '..', 'shared', 'datasets', 'chs-drg-1.1');

function readCsv(file: string): Record<string, string>[] {
  return parse(readFileSync(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
}

describe('demo catalogues', () => {
  it('keeps seeds/reference/standard_departments.csv in step with the catalogue', () => {
    const seed = readCsv(path.join(root, 'seeds/reference/standard_departments.csv'));
    expect(seed.map((r) => [r.std_dept_code, r.std_dept_name, r.dept_class])).toEqual(
      STANDARD_DEPARTMENTS.map((d) => [d.code, d.name, d.deptClass]),
    );
    expect(seed.length).toBeGreaterThanOrEqual(25);
    expect(seed.length).toBeLessThanOrEqual(35);
    expect(new Set(seed.map((r) => r.dept_class))).toEqual(
      new Set(['临床服务类', '医疗技术类', '医疗辅助类', '行政后勤类']),
    );
  });

  it('maps every local department to a standard one, with distinct code styles', () => {
    const std = new Set(STANDARD_DEPARTMENTS.map((d) => d.code));
    const styles = [/^\d{4}$/, /^[A-Z]{2,4}$/, /^KS\d{3}$/];
    HOSPITALS.forEach((h, i) => {
      const { departments, unknownCodes } = HOSPITAL_DEPARTMENTS[h.code] ?? {
        departments: [],
        unknownCodes: [],
      };
      const codes = new Set(departments.map((d) => d.code));
      expect(codes.size).toBe(departments.length);
      for (const d of departments) {
        expect(std.has(d.std), d.code).toBe(true);
        expect(d.code).toMatch(styles[i] ?? /./);
      }
      for (const c of unknownCodes) expect(codes.has(c)).toBe(false);
    });
    const counts = HOSPITALS.map((h) => HOSPITAL_DEPARTMENTS[h.code]?.departments.length ?? 0);
    expect(counts[0]).toBeGreaterThan(counts[1] ?? 0);
  });

  it('uses national code formats for insurance codes and unique local item codes', () => {
    for (const item of STANDARD_ITEMS) {
      const code = item.insuranceCode;
      if (item.category === '09') expect(code, item.key).toMatch(/^X[A-Z0-9]{22}$/);
      else if (item.category === '11') expect(code, item.key).toMatch(/^Z[A-Z0-9]{19}$/);
      else if (item.category === '08') expect(code, item.key).toMatch(/^C\d{19}$/);
      else if (item.category === '10') expect(code, item.key).toMatch(/^T\d{9}$/);
      else expect(code, item.key).toMatch(/^00\d{13}$/);
    }
    expect(new Set(STANDARD_ITEMS.map((i) => i.key)).size).toBe(STANDARD_ITEMS.length);
    for (const h of HOSPITALS) {
      const dict = new HospitalDictionary(h);
      expect(new Set(dict.items.map((i) => i.code)).size).toBe(dict.items.length);
      expect(dict.hasItem(dict.unknownItemCode(1))).toBe(false);
    }
  });

  it('treats each CC/MCC it records as seeds/fund/fund_cc_supporting_items.csv says the screen expects', () => {
    const seed = readCsv(path.join(root, 'seeds/fund/fund_cc_supporting_items.csv'));
    const ccMcc = new Set(readCsv(path.join(root, 'seeds/drg/drg_cc_mcc.csv')).map((r) => r.diag_code));
    const items = new Set(STANDARD_ITEMS.map((i) => i.key));
    for (const code of COMORBIDITIES.filter((c) => ccMcc.has(c)))
      expect(CC_SUPPORTING_ITEMS[code], `${code} is a CC/MCC`).toBeDefined();
    for (const [code, keys] of Object.entries(CC_SUPPORTING_ITEMS)) {
      expect(ccMcc.has(code), `${code} is on the CHS-DRG list`).toBe(true);
      for (const k of keys) expect(items.has(k), k).toBe(true);
      // The seed's 医保 codes for the diagnosis name exactly the catalogue's supporting items: the
      // generator bills one of them for a true CC/MCC and drops them all for an upcoded one.
      const prefixes = seed
        .filter((r) => code.startsWith(r.diagnosis_prefix ?? '-'))
        .flatMap((r) => (r.insurance_item_codes ?? '').split('|'));
      const matched = STANDARD_ITEMS.filter((i) => prefixes.some((p) => i.insuranceCode.startsWith(p)));
      expect(matched.map((i) => i.key).sort(), code).toEqual([...keys].sort());
    }
    for (const r of seed)
      expect(
        Object.keys(CC_SUPPORTING_ITEMS).some((c) => c.startsWith(r.diagnosis_prefix ?? '-')),
        `${r.diagnosis_prefix} serves a diagnosis of the catalogue`,
      ).toBe(true);
  });

  it('keeps the unified dictionaries (seeds/reference diagnoses and procedures) in step with the catalogue', () => {
    // The generator codes only these; a code missing from the seed would be quarantined as unknown.
    const dx = readCsv(path.join(root, 'seeds/reference/diagnoses.csv'));
    expect(dx.map((r) => [r.diag_code, r.diag_name, r.sex_restriction])).toEqual(
      DIAGNOSES.map((d) => [d.code, d.name, d.sex === undefined ? '' : String(d.sex)]),
    );
    const px = readCsv(path.join(root, 'seeds/reference/procedures.csv'));
    expect(px.map((r) => [r.oprn_code, r.oprn_name, r.oprn_level])).toEqual(
      PROCEDURES.map((p) => [p.code, p.name, String(p.level)]),
    );
  });

  it('refers only to catalogued items, diagnoses and procedures', () => {
    const items = new Set(STANDARD_ITEMS.map((i) => i.key));
    for (const p of Object.values(CARE_PROFILES)) {
      const keys = [
        ...p.labs,
        ...p.repeatLabs,
        ...p.exams.map((u) => u.item),
        ...p.drugs.map((u) => u.item),
        ...p.treatments.map((u) => u.item),
        ...(p.surgery
          ? [...p.surgery.fees, ...p.surgery.materials, ...p.surgery.drugs].map((u) => u.item)
          : []),
        ...(p.surgery?.anesthesia ? [p.surgery.anesthesia] : []),
      ];
      for (const k of keys) expect(items.has(k), k).toBe(true);
    }
    const dx = new Set(DIAGNOSES.map((d) => d.code));
    const px = new Set(PROCEDURES.map((p) => p.code));
    expect(DRG_GROUPS.length).toBeGreaterThanOrEqual(35);
    for (const g of DRG_GROUPS) {
      expect(g.code).toMatch(/^[A-Z]{2}\d{2}$/);
      expect(CARE_PROFILES[g.profile], g.code).toBeDefined();
      for (const d of g.diagnoses) expect(dx.has(d), d).toBe(true);
      for (const p of g.procedures) expect(px.has(p), p).toBe(true);
      for (const d of g.complications ?? []) expect(dx.has(d), d).toBe(true);
      if (g.ventilation) expect(px.has(g.ventilation), g.ventilation).toBe(true);
    }
    for (const c of INVALID_DIAGNOSIS_CODES) expect(dx.has(c)).toBe(false);
  });

  it.skipIf(!existsSync(CHS_DRG))(
    'uses real CHS-DRG 1.1 groups and 医保版 2.0 codes (when the reference set is present)',
    () => {
      const groups = new Map(
        readCsv(path.join(CHS_DRG, 'drg_groups.csv')).map((r) => [r.drg_code, r.drg_name]),
      );
      for (const g of DRG_GROUPS) expect(groups.get(g.code), g.code).toBe(g.name);
      const dx = new Map(
        readCsv(path.join(CHS_DRG, 'diagnoses_icd10_chs2.csv')).map((r) => [r.code, r.name]),
      );
      for (const d of DIAGNOSES) expect(dx.get(d.code), d.code).toBe(d.name);
      for (const c of INVALID_DIAGNOSIS_CODES) expect(dx.has(c)).toBe(false);
      const px = new Map(
        readCsv(path.join(CHS_DRG, 'procedures_icd9cm3_chs2.csv')).map((r) => [r.code, r.name]),
      );
      for (const p of PROCEDURES) expect(px.get(p.code), p.code).toBe(p.name);
    },
  );
});
