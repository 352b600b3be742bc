import type { DefectRate } from './defect-scheduler.ts';

/**
 * Injected defects per entity, with the share of rows that carry each kind.
 * The HIS kinds and their names are a contract with the data-quality rules;
 * the others exercise the EMR, insurance, ERP and LIS checks.
 * Rates are per row of the entity across the whole alliance.
 */
export const DEFECT_RATES: Readonly<Record<string, readonly DefectRate[]>> = {
  'his/outpatient_visits': [
    { kind: 'duplicate_row', rate: 0.005 },
    { kind: 'missing_required', rate: 0.004 },
    { kind: 'unknown_department', rate: 0.004 },
  ],
  'his/inpatient_visits': [
    { kind: 'duplicate_row', rate: 0.006 },
    { kind: 'missing_required', rate: 0.005 },
    { kind: 'discharge_before_admission', rate: 0.006 },
    { kind: 'unknown_department', rate: 0.005 },
  ],
  'his/charge_lines': [
    { kind: 'duplicate_row', rate: 0.005 },
    { kind: 'missing_required', rate: 0.003 },
    { kind: 'unknown_department', rate: 0.003 },
    { kind: 'unknown_item', rate: 0.004 },
    { kind: 'orphan_charge', rate: 0.003 },
    { kind: 'amount_mismatch', rate: 0.004 },
    { kind: 'price_spike', rate: 0.005 },
  ],
  'emr/front_pages': [
    { kind: 'missing_required', rate: 0.005 },
    { kind: 'fee_sum_mismatch', rate: 0.005 },
  ],
  'emr/front_page_diagnoses': [
    { kind: 'unknown_diagnosis_code', rate: 0.004 },
    { kind: 'diagnosis_sex_conflict', rate: 0.003 },
  ],
  'emr/front_page_procedures': [{ kind: 'procedure_date_out_of_stay', rate: 0.006 }],
  'insurance/settlements': [
    { kind: 'settlement_without_visit', rate: 0.005 },
    { kind: 'medfee_total_mismatch', rate: 0.005 },
  ],
  'insurance/settlement_diagnoses': [{ kind: 'unknown_diagnosis_code', rate: 0.004 }],
  'insurance/fund_payments': [{ kind: 'negative_amount', rate: 0.005 }],
  'erp/cost_ledger': [
    { kind: 'negative_amount', rate: 0.004 },
    { kind: 'unknown_department', rate: 0.004 },
  ],
  'lab/workload': [{ kind: 'unknown_department', rate: 0.005 }],
};

/** Rates for an entity; an unknown entity gets none (all rows clean). */
export function ratesFor(entity: string): readonly DefectRate[] {
  return DEFECT_RATES[entity] ?? [];
}
