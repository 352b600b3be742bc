import { drgGroupings } from './drg-groupings.ts';
import { frontPageDiagnoses } from './front-page-diagnoses.ts';
import { frontPageProcedures } from './front-page-procedures.ts';
import { frontPages } from './front-pages.ts';

/** Every EMR (病案首页) delivery the warehouse accepts. */
export const emrSources = [frontPages, frontPageDiagnoses, frontPageProcedures, drgGroupings] as const;
