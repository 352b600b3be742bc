import { paymentPolicySources } from './payment-policy.ts';
import {
  fundPayments,
  settlementChargeCategories,
  settlementDiagnoses,
  settlementProcedures,
} from './settlement-parts.ts';
import { settlements } from './settlements.ts';

/** Every 医保结算清单 delivery the warehouse accepts, and the payer's published policy files. */
export const insuranceSources = [
  settlements,
  settlementDiagnoses,
  settlementProcedures,
  settlementChargeCategories,
  fundPayments,
  ...paymentPolicySources,
] as const;
