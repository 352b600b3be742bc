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

  it('keeps numbers exact as text, thousands separators only where the column accepts them', () => {
    expect(parseValue('numeric', '10.5000')).toEqual({ ok: true, value: '10.5000' });
    expect(parseValue('numeric', '1,234.50')).toEqual({ ok: true, value: '1234.50' });
    expect(parseValue('integer', '12,345')).toEqual({ ok: true, value: '12345' });
    expect(parseValue('numeric', '1,000.00', { formats: [] })).toEqual({
      ok: false,
      problem: 'is not a number (accepted: 1234.50)',
    });
    expect(parseValue('numeric', '1,23.5').ok).toBe(false);
    expect(parseValue('numeric', '12a').ok).toBe(false);
    expect(parseValue('integer', '3.0').ok).toBe(false);
  });

  it('reads ISO 8601 and compact times, converting offsets to the hospital time zone', () => {
    const at = (raw: string, timeZone?: string) => parseValue('timestamp', raw, { timeZone });
    expect(at('2025-03-01T16:40:23')).toEqual({ ok: true, value: '2025-03-01 16:40:23' });
    expect(at('2025-03-01T08:40:23Z')).toEqual({ ok: true, value: '2025-03-01 16:40:23' });
    expect(at('2025-03-01T16:40:23+08:00')).toEqual({ ok: true, value: '2025-03-01 16:40:23' });
    expect(at('2025-02-28T23:40:23.125-05:00')).toEqual({ ok: true, value: '2025-03-01 12:40:23.125' });
    expect(at('2025-03-01T16:40:23.5+0800')).toEqual({ ok: true, value: '2025-03-01 16:40:23.5' });
    expect(at('2025-03-01T08:40:23Z', 'Europe/Berlin')).toEqual({ ok: true, value: '2025-03-01 09:40:23' });
    expect(at('20250301164023')).toEqual({ ok: true, value: '2025-03-01 16:40:23' });
    expect(parseValue('date', '20250301')).toEqual({ ok: true, value: '2025-03-01' });
    // Day or month first? Not guessed: the problem names what the column accepts.
    expect(at('01/03/2025 16:40:23')).toEqual({
      ok: false,
      problem:
        'is not a valid time (accepted: YYYY-MM-DD HH:mm:ss; ISO 8601 (2025-03-01T16:40:23[.123][Z|+08:00]); YYYYMMDDHHmmss / YYYYMMDD)',
    });
    expect(at('20250230164023').ok).toBe(false);
    expect(at('2025-03-01T16:40:23+15:00').ok).toBe(false);
    expect(parseValue('timestamp', '2025-03-01T16:40:23Z', { formats: [] }).ok).toBe(false);
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
