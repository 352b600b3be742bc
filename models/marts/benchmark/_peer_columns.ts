/**
 * The column declarations the alliance's peer benchmark models share, whatever their pool's grain
 * (DRG group × level × year, or level × month for the fund indicators): the hospital a row
 * describes, a pool's statistics, and a member's place in its pool. Not a model: files starting
 * with `_` are not loaded as models.
 */
import { count } from '../../../core/engine/column-helpers.ts';
import { BEST_QUARTILE_DEFINITION } from '../../intermediate/benchmark/_peer_measures.ts';
import {
  PERCENTILE_DEFINITION,
  WEIGHTED_MEAN_DEFINITION,
  peerRankColumns,
  percentileColumns,
} from './_peer_statistics.ts';

/** hospital_code (with `codeDescription`), hospital_name, hospital_level. */
export function peerHospitalColumns(codeDescription: string) {
  return {
    hospital_code: {
      title: '医院编码',
      description: codeDescription,
      tests: ['not_null', { relationships: { to: 'dim_hospitals', field: 'hospital_code' } }],
    },
    hospital_name: { title: '医院名称', description: '医联体成员医院的名称。' },
    hospital_level: {
      title: '医院等级',
      description: "医院等级，'3' 三级，'2' 二级，'1' 一级：对标池按等级划分。",
      tests: ['not_null'],
    },
  } as const;
}

/** What a pool is: hospital count, cases (`casesTitle`/`casesDescription`), weighted mean, p10–p90. */
export function peerPoolColumns(casesTitle: string, casesDescription: string, meanTitle: string) {
  return {
    hospital_count: count('池中医院数', '池中有该指标值的医院数。'),
    cases: count(casesTitle, casesDescription),
    weighted_mean: { title: meanTitle, description: WEIGHTED_MEAN_DEFINITION, type: 'numeric(18, 4)' },
    ...percentileColumns,
  } as const;
}

/** A member's place in its pool: rank, percentile, pool size, the pool's statistics, best quartile and gap. */
export function peerMemberPoolColumns(
  poolCasesTitle: string,
  poolCasesDescription: string,
  meanTitle: string,
) {
  return {
    ...peerRankColumns('pool', '同级'),
    pool_cases: count(poolCasesTitle, poolCasesDescription),
    pool_weighted_mean: { title: meanTitle, description: WEIGHTED_MEAN_DEFINITION, type: 'numeric(18, 4)' },
    ...percentileColumns,
    best_quartile_value: {
      title: '最佳四分位值',
      description: `${BEST_QUARTILE_DEFINITION}${PERCENTILE_DEFINITION}`,
      type: 'numeric(18, 4)',
    },
    gap_to_best_quartile: {
      title: '距最佳四分位差距',
      description: BEST_QUARTILE_DEFINITION,
      type: 'numeric(18, 4)',
    },
  } as const;
}
