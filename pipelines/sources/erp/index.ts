import { costLedger } from './cost-ledger.ts';
import { floorArea } from './floor-area.ts';
import { headcount } from './headcount.ts';

/** Every ERP/HRP delivery the warehouse accepts. */
export const erpSources = [costLedger, headcount, floorArea] as const;
