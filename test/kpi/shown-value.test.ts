import { describe, expect, it } from 'vitest';
import provisionCoverage from '../../metrics/provision-coverage.js';
import nplRatio from '../../metrics/npl-ratio.js';
import { capTextOf, shownKpiValue } from '../../transforms/kpi/metric.js';

describe('a KPI value as a reader sees it (commentary sentences, catalog cap text)', () => {
  it('a value above the display cap reads the cap text; at or below it, the formatted value', () => {
    // Provision coverage is capped at 10 (= 1,000 %): the sample's 127.1274 (12,712.74 %) must not be printed.
    expect(capTextOf(provisionCoverage)).toBe('> 1,000%');
    expect(shownKpiValue(127.1274, provisionCoverage)).toBe('> 1,000%');
    expect(shownKpiValue(10, provisionCoverage)).toBe('1,000.00%');
    expect(shownKpiValue(1.3935, provisionCoverage)).toBe('139.35%');
  });

  it('a KPI without a cap prints every value', () => {
    expect(capTextOf(nplRatio)).toBe('');
    expect(shownKpiValue(12.5, nplRatio)).toBe('1,250.00%');
  });
});
