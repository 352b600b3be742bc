/**
 * Rows for the hand-worked unit tests of the fund-violation screens (int_fund_violations__*). Not a
 * model: files starting with `_` are not loaded as models.
 */
type Overrides = Record<string, string | number | boolean | null>;

/** A case of fct_inpatient_cases with every column the screens read: a plain normal stay unless overridden. */
export const inpatientCase = (visit: string, over: Overrides = {}) => ({
  hospital_code: 'H1',
  visit_id: visit,
  patient_key: `k${visit}`,
  insured_person_key: null,
  dept_code: 'A03',
  discharged_at: '2024-03-20 10:00',
  discharge_month: '2024-03-01',
  drg_code: 'ES35',
  is_grouped: true,
  icu_hours: 0,
  ventilation_hours: 0,
  is_surgical: false,
  length_of_stay_days: 6,
  reference_mean_los_days: 7,
  reference_mean_charge: 6000,
  total_charges: 5000,
  payment_standard: 6000,
  charge_to_standard_ratio: 0.8333,
  outlier_class: 'normal',
  high_outlier_ratio: 3,
  low_outlier_ratio: 0.4,
  outlier_threshold_source: 'published',
  ...over,
});

/** A row of int_fund_violations__stays: the case with its admission time and diagnoses. */
export const screenedStay = (visit: string, over: Overrides = {}) => {
  const stay = inpatientCase(visit, {
    admitted_at: null,
    main_diagnosis_code: null,
    other_diagnoses: null,
    ...over,
  });
  return { screened_drg_code: stay.drg_code, ...stay };
};

/** The column types fixture rows cannot carry as JavaScript values. */
export const stayTypes = { admitted_at: 'timestamp', discharged_at: 'timestamp', discharge_month: 'date' };

/** A charge line of int_charge_lines__standardised: an inpatient infusion unless overridden. */
export const chargeLine = (id: string, visit: string, over: Overrides = {}) => ({
  hospital_code: 'H1',
  charge_line_id: id,
  visit_type: 'inpatient',
  visit_id: visit,
  item_code: 'I1',
  charged_at: '2024-03-01 08:00',
  charge_month: '2024-03-01',
  charge_category_code: '05',
  quantity: 2,
  unit_price: 10,
  amount: 20,
  ...over,
});

export const chargeLineTypes = { charged_at: 'timestamp', charge_month: 'date' };

/** A charge item of the HIS catalogue (stg_his__charge_items). */
export const chargeItem = (code: string, name: string, price: number, insuranceCode: string) => ({
  hospital_code: 'H1',
  item_code: code,
  item_name: name,
  unit_price: price,
  insurance_item_code: insuranceCode,
});

/** A recorded diagnosis of int_fund_violations__diagnoses. */
export const diagnosis = (
  visit: string,
  seq: number,
  code: string,
  principal: boolean,
  condition: string | null,
) => ({
  hospital_code: 'H1',
  visit_id: visit,
  diagnosis_seq: seq,
  diagnosis_code: code,
  is_principal: principal,
  admission_condition: condition,
});
