/**
 * Colours readable by colour-blind users and in print: the Okabe–Ito palette, with ECharts' decal
 * patterns switched on for bars and areas so series differ by texture too, not only by colour.
 */
export const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Good / bad for targets and quadrants: blue and vermilion (not red/green). */
export const good = '#0072B2';
export const bad = '#D55E00';
export const neutral = '#6b7280';
