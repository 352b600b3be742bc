/**
 * Text formatting shared by every demo file. Amounts are carried as integer
 * cents, unit prices as integer 1/10,000 yuan and quantities as integer
 * hundredths, so that `amount = round(quantity × unit_price, 2)` is exact and
 * never depends on binary floating point.
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 quoting, only when the value needs it. */
export function csvField(value: string): string {
  if (!NEEDS_QUOTES.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

/** Joins already formatted fields into one line without the line break. */
export function csvRow(fields: readonly string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += ',';
    out += csvField(fields[i] ?? '');
  }
  return out;
}

const PAD: readonly string[] = ['', '0', '00', '000'];

function fixed(units: number, scale: number, digits: number): string {
  const neg = units < 0;
  const abs = neg ? -units : units;
  const whole = Math.floor(abs / scale);
  const frac = String(abs - whole * scale);
  return `${neg ? '-' : ''}${whole}.${PAD[digits - frac.length] ?? ''}${frac}`;
}

/** Integer cents → `123.45`. */
export function formatCents(cents: number): string {
  return fixed(cents, 100, 2);
}

/** Unit price in 1/10,000 yuan → 2 decimals when whole cents, else 4. */
export function formatPrice(tenThousandths: number): string {
  if (tenThousandths % 100 === 0) return fixed(tenThousandths / 100, 100, 2);
  return fixed(tenThousandths, 10_000, 4);
}

/** Quantity in hundredths → `3` or `8.50`. */
export function formatQuantity(hundredths: number): string {
  if (hundredths % 100 === 0) return String(hundredths / 100);
  return fixed(hundredths, 100, 2);
}

/**
 * round(quantity × unit price, 2) in cents, half away from zero, computed on
 * integers: quantity hundredths × price ten-thousandths is in 1e-6 yuan.
 */
export function lineAmountCents(quantityHundredths: number, priceTenThousandths: number): number {
  const micro = quantityHundredths * priceTenThousandths;
  const sign = micro < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(micro) + 5_000) / 10_000);
}

/** Yuan (float literal in a catalogue) → integer 1/10,000 yuan. */
export function yuanToPrice(yuan: number): number {
  return Math.round(yuan * 10_000);
}
