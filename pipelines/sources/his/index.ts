import { chargeItems } from './charge-items.ts';
import { chargeLines } from './charge-lines.ts';
import { departments } from './departments.ts';
import { inpatientCensusDiagnoses } from './inpatient-census-diagnoses.ts';
import { inpatientCensusProcedures } from './inpatient-census-procedures.ts';
import { inpatientCensus } from './inpatient-census.ts';
import { inpatientVisits } from './inpatient-visits.ts';
import { outpatientVisits } from './outpatient-visits.ts';

/** Every HIS delivery the warehouse accepts. */
export const hisSources = [
  departments,
  chargeItems,
  outpatientVisits,
  inpatientVisits,
  inpatientCensus,
  inpatientCensusDiagnoses,
  inpatientCensusProcedures,
  chargeLines,
] as const;
