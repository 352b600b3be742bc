import type { EChartsCoreOption } from 'echarts/core';
import type { Row } from './cube';
import type { Formatter } from './format';
import { bad, good, neutral } from './palette';

/** One category of a box plot: the pool's p10–p90 and the hospital's own value. */
export interface BoxPlotItem {
  readonly category: string;
  /** [p10, p25, p50, p75, p90], or null when the pool is suppressed (样本不足). */
  readonly box: readonly [number, number, number, number, number] | null;
  readonly own: number | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

/** Reads `prefix.p10 … prefix.p90` of a row as a box (null when any is missing). */
export function boxOf(row: Row, view: string): BoxPlotItem['box'] {
  const values = ['p10', 'p25', 'p50', 'p75', 'p90'].map((p) => num(row[`${view}.${p}`]));
  return values.every((v) => v !== null) ? (values as unknown as BoxPlotItem['box']) : null;
}

/**
 * A box-plot chart of the peer distribution per category (whiskers p10/p90, box p25–p75, line
 * p50) with the hospital's own value as a point: blue when within the better half (by `better`),
 * vermilion otherwise. Suppressed pools show no box, and their category is labelled 样本不足.
 */
export function boxPlotOption(
  items: readonly BoxPlotItem[],
  options: { readonly format: Formatter; readonly better: 'lower' | 'higher'; readonly ownLabel: string },
): EChartsCoreOption {
  const { format, better } = options;
  const categories = items.map((i) => (i.box ? i.category : `${i.category}\n(样本不足)`));
  const side = (i: BoxPlotItem) =>
    i.own === null || !i.box ? neutral : (better === 'lower' ? i.own <= i.box[2] : i.own >= i.box[2]) ? good : bad;
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesType: string; name: string; data: number[] | { value: number } }) => {
        if (p.seriesType === 'boxplot') {
          const d = p.data as number[];
          const v = d.length === 6 ? d.slice(1) : d;
          return `${p.name}<br/>P10 ${format(v[0])}<br/>P25 ${format(v[1])}<br/>P50 ${format(v[2])}<br/>P75 ${format(v[3])}<br/>P90 ${format(v[4])}`;
        }
        const value = Array.isArray(p.data) ? p.data[1] : (p.data as { value: number }).value;
        return `${p.name}<br/>${options.ownLabel} ${format(value)}`;
      },
    },
    legend: { data: ['同级分布（P10–P90）', options.ownLabel], top: 0 },
    grid: { left: 70, right: 16, top: 36, bottom: 80 },
    xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: items.length > 6 ? 35 : 0 } },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => format(v) } },
    dataZoom: items.length > 12 ? [{ type: 'slider', startValue: 0, endValue: 11, bottom: 0 }] : [],
    series: [
      {
        name: '同级分布（P10–P90）',
        type: 'boxplot',
        itemStyle: { color: '#ffffff', borderColor: neutral },
        data: items.map((i) => (i.box ? [...i.box] : [])),
      },
      {
        name: options.ownLabel,
        type: 'scatter',
        symbolSize: 11,
        data: items.map((i, index) => ({ value: [index, i.own], itemStyle: { color: side(i) } })),
      },
    ],
  };
}
