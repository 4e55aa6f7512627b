import { describe, expect, it } from 'vitest';
import { monthEndBefore, monthEndOf } from '../../transforms/lib/month-end.js';

describe('monthEndBefore', () => {
  it('defaults to the previous month end, from any day of the month', () => {
    expect(monthEndBefore('2026-10-31')).toBe('2026-09-30');
    expect(monthEndBefore('2026-10-01')).toBe('2026-09-30');
    expect(monthEndBefore('2026-01-31')).toBe('2025-12-31');
  });

  it('goes back `offset` months: 0 is the month’s own end; February in leap and common years', () => {
    expect(monthEndBefore('2026-03-31', 0)).toBe('2026-03-31');
    expect(monthEndBefore('2026-03-31', 1)).toBe('2026-02-28');
    expect(monthEndBefore('2024-03-31', 1)).toBe('2024-02-29');
    expect(monthEndBefore('2026-01-31', 2)).toBe('2025-11-30');
    expect(monthEndBefore('2026-10-31', 13)).toBe('2025-09-30');
  });
});

describe('monthEndOf', () => {
  it('is the last calendar day: 31/30-day months, February in leap and common years, December', () => {
    expect(monthEndOf(2026, 10)).toBe('2026-10-31');
    expect(monthEndOf(2026, 9)).toBe('2026-09-30');
    expect(monthEndOf(2024, 2)).toBe('2024-02-29'); // 2024 divisible by 4
    expect(monthEndOf(2100, 2)).toBe('2100-02-28'); // divisible by 100, not by 400
    expect(monthEndOf(2000, 2)).toBe('2000-02-29'); // divisible by 400
    expect(monthEndOf(2026, 12)).toBe('2026-12-31');
  });
});
