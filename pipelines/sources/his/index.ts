import { chargeItems } from './charge-items.ts';
import { chargeLines } from './charge-lines.ts';
import { departments } from './departments.ts';
import { inpatientVisits } from './inpatient-visits.ts';
import { outpatientVisits } from './outpatient-visits.ts';

/** Every HIS delivery the warehouse accepts. */
export const hisSources = [departments, chargeItems, outpatientVisits, inpatientVisits, chargeLines] as const;
