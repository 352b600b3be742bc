/**
 * A view's dimension marked `meta: { default_filter: … }` (regional_benchmark, member_vs_peers:
 * benchmark_dimension drg, period_grain year) filters a query that names it nowhere, so queries
 * written before the peer pools had those dimensions keep their meaning; a query that selects or
 * filters the dimension (even inside an or) reads what it asks for.
 */
import { describe, expect, it } from 'vitest';
import { catalogOf } from '../../cube/model-catalog.ts';
import { withDefaultFilters } from '../../cube/security/row-security.ts';

const meta = [
  {
    isVisible: true,
    config: {
      name: 'regional_benchmark',
      dimensions: [
        { name: 'regional_benchmark.hospital_code', meta: { access: 'staff' } },
        { name: 'regional_benchmark.benchmark_dimension', meta: { default_filter: 'drg' } },
        { name: 'regional_benchmark.period_grain', meta: { default_filter: 'year' } },
        { name: 'regional_benchmark.year' },
      ],
      measures: [{ name: 'regional_benchmark.position_count' }],
    },
  },
];
const model = catalogOf(meta);
const rb = 'regional_benchmark';
const year = { member: `${rb}.year`, operator: 'equals', values: ['2025'] };

describe('default filters of a view', () => {
  it('reads them from the dimensions’ meta', () => {
    expect([...model.get(rb)!.defaultFilters]).toEqual([
      ['benchmark_dimension', 'drg'],
      ['period_grain', 'year'],
    ]);
  });

  it('adds them to a query that names neither dimension', () => {
    const query = { measures: [`${rb}.position_count`], filters: [year] };
    expect(withDefaultFilters(query, [rb], model).filters).toEqual([
      year,
      { member: `${rb}.benchmark_dimension`, operator: 'equals', values: ['drg'] },
      { member: `${rb}.period_grain`, operator: 'equals', values: ['year'] },
    ]);
  });

  it('leaves a dimension the query selects or filters (in an or too) to the query', () => {
    const query = {
      dimensions: [`${rb}.benchmark_dimension`],
      filters: [{ or: [{ member: `${rb}.period_grain`, operator: 'equals', values: ['month'] }, year] }],
    };
    expect(withDefaultFilters(query, [rb], model)).toBe(query);
    const monthly = { filters: [{ member: `${rb}.period_grain`, operator: 'equals', values: ['month'] }] };
    expect(withDefaultFilters(monthly, [rb], model).filters).toEqual([
      ...monthly.filters,
      { member: `${rb}.benchmark_dimension`, operator: 'equals', values: ['drg'] },
    ]);
  });
});
