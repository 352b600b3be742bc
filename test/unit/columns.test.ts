import { describe, expect, it } from 'vitest';
import { copyText, parseValue } from '../../core/contract/columns.ts';

describe('delivered values', () => {
  it('parses dates and times strictly, never guessing', () => {
    expect(parseValue('date', '2025-2-3')).toEqual({ ok: true, value: '2025-02-03' });
    expect(parseValue('date', '2025-02-30').ok).toBe(false);
    expect(parseValue('date', '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(parseValue('timestamp', '2025-01-05 7:03')).toEqual({ ok: true, value: '2025-01-05 07:03:00' });
    expect(parseValue('timestamp', '2025-01-05 24:00:00').ok).toBe(false);
    expect(parseValue('timestamp', '2025-01-05')).toEqual({ ok: true, value: '2025-01-05 00:00:00' });
  });

  it('keeps numbers exact as text and refuses formatted ones', () => {
    expect(parseValue('numeric', '10.5000')).toEqual({ ok: true, value: '10.5000' });
    expect(parseValue('numeric', '1,000.00').ok).toBe(false);
    expect(parseValue('numeric', '12a').ok).toBe(false);
    expect(parseValue('integer', '3.0').ok).toBe(false);
  });

  it('treats blanks as null and refuses NUL characters', () => {
    expect(parseValue('text', '  ')).toEqual({ ok: true, value: null });
    expect(parseValue('text', 'a\u0000b').ok).toBe(false);
  });

  it('escapes values for COPY text format', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText('a\tb\nc\\d\r')).toBe('a\\tb\\nc\\\\d\\r');
  });
});
