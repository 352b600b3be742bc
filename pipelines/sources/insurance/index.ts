import {
  fundPayments,
  settlementChargeCategories,
  settlementDiagnoses,
  settlementProcedures,
} from './settlement-parts.ts';
import { settlements } from './settlements.ts';

/** Every 医保结算清单 delivery the warehouse accepts. */
export const insuranceSources = [
  settlements,
  settlementDiagnoses,
  settlementProcedures,
  settlementChargeCategories,
  fundPayments,
] as const;
