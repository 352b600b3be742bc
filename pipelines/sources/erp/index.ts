import { allocationDrivers } from './allocation-drivers.ts';
import { costLedger } from './cost-ledger.ts';
import { fixedAssets } from './fixed-assets.ts';
import { floorArea } from './floor-area.ts';
import { headcount } from './headcount.ts';
import { payScales } from './pay-scales.ts';
import { purchases } from './purchases.ts';
import { serviceSplit } from './service-split.ts';

/** Every ERP/HRP delivery the warehouse accepts. */
export const erpSources = [
  costLedger,
  headcount,
  floorArea,
  payScales,
  fixedAssets,
  purchases,
  allocationDrivers,
  serviceSplit,
] as const;
