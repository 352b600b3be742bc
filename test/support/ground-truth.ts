/**
 * Which rule is meant to find each kind of defect the demo generator injects (its ground truth
 * names defects, the rule catalogue names rules), and which defects leave their row loaded (a
 * warning) or dropped as a duplicate rather than quarantined.
 */
export const ruleFor: Record<string, string> = {
  duplicate_row: 'duplicate_row',
  missing_required: 'required_field_missing',
  discharge_before_admission: 'discharge_before_admission',
  unknown_department: 'unknown_department_code',
  unknown_item: 'unknown_item_code',
  orphan_charge: 'orphan_charge_line',
  amount_mismatch: 'amount_mismatch',
  price_spike: 'unit_price_deviation',
  fee_sum_mismatch: 'fee_sum_mismatch',
  unknown_diagnosis_code: 'unknown_diagnosis_code',
  diagnosis_sex_conflict: 'diagnosis_sex_conflict',
  procedure_date_out_of_stay: 'procedure_date_out_of_stay',
  settlement_without_visit: 'settlement_without_visit',
  medfee_total_mismatch: 'medfee_total_mismatch',
  negative_amount: 'negative_amount',
};
export const notQuarantined = new Set(['price_spike', 'duplicate_row', 'medfee_total_mismatch']);
