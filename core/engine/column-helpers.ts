/**
 * Column declarations the marts repeat: an amount in yuan to the cent, a count, a ratio to four
 * decimals shown as a percentage. Each takes the Chinese title BI users read and the description.
 */
export const money = (title: string, description: string) =>
  ({ title, description, format: 'currency', type: 'numeric(18, 2)' }) as const;
export const ratio = (title: string, description: string) =>
  ({ title, description, format: 'percent', type: 'numeric(12, 4)' }) as const;
export const count = (title: string, description: string) =>
  ({ title, description, type: 'bigint' }) as const;
