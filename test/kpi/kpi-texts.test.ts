import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCatalog } from '../../transforms/kpi/catalog.js';
import { discoverMetrics } from '../../transforms/kpi/discover-metrics.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';

/**
 * What a reader sees of a KPI (glossary, the export's definitions sheet) is in both languages and
 * free of developer text: the catalog is written by the real engine into an in-memory DuckDB and
 * read back, so a text a new KPI forgets (or a table name it cites) fails here.
 */

/** The reader-facing text columns of metrics.metric_catalog, each must be non-empty for every KPI. */
const BILINGUAL = [
  'name_zh', 'name_en',
  'description_zh', 'description',
  'formula_text', 'formula_text_en',
  'numerator_text_zh', 'numerator_text',
  'denominator_text_zh', 'denominator_text',
  'target_text', 'target_text_en',
  'tolerance_text_zh', 'tolerance_text',
] as const;
/** Further reader-facing texts (may be '' where the KPI has none, e.g. no minimum sample). */
const OTHER_READER_TEXT = ['policy_source', 'availability_zh', 'availability_en', 'sample_text_zh', 'sample_text_en', 'min_sample_zh', 'min_sample_en', 'display_cap_text'] as const;

/** Developer text: a warehouse table or schema, a docs file, a source file. */
const DEVELOPER_TEXT = /\b(kpi_|mart_|fct_|dim_|stg_|marts\.|metrics\.|core\.|docs\/|\.ts\b|\.md\b)/;

describe('KPI texts for readers (metrics.metric_catalog)', () => {
  let wh: WarehouseHandle;
  let rows: Record<string, unknown>[];
  beforeAll(async () => {
    wh = await openWarehouse(':memory:');
    await wh.exec('CREATE SCHEMA metrics');
    await writeCatalog(wh, await discoverMetrics());
    rows = await wh.all(`SELECT * FROM metrics.metric_catalog ORDER BY sort_order`);
  });
  afterAll(async () => wh?.close());

  it('every KPI of metrics/ is in the catalog', () => {
    expect(rows).toHaveLength(readdirSync('metrics').filter((f) => f.endsWith('.ts')).length);
  });

  it('every KPI has every text in Chinese and English, non-empty', () => {
    const empty = rows.flatMap((r) => BILINGUAL.filter((c) => typeof r[c] !== 'string' || (r[c] as string).trim() === '').map((c) => `${r.metric_id}.${c}`));
    expect(empty).toEqual([]);
  });

  it('each Chinese column is in Chinese and differs from its English twin', () => {
    const han = /\p{Script=Han}/u;
    const bad: string[] = [];
    for (const r of rows) {
      for (const c of ['name_zh', 'description_zh', 'formula_text', 'numerator_text_zh', 'denominator_text_zh', 'tolerance_text_zh'] as const) {
        if (!han.test(r[c] as string)) bad.push(`${r.metric_id}.${c}`);
      }
      for (const [zh, en] of [['description_zh', 'description'], ['formula_text', 'formula_text_en'], ['numerator_text_zh', 'numerator_text'], ['denominator_text_zh', 'denominator_text']] as const) {
        if (r[zh] === r[en]) bad.push(`${r.metric_id}.${zh} = ${en}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no reader-facing text names a table, column namespace, docs file or source file', () => {
    const leaks = rows.flatMap((r) =>
      [...BILINGUAL, ...OTHER_READER_TEXT].filter((c) => DEVELOPER_TEXT.test(String(r[c] ?? ''))).map((c) => `${r.metric_id}.${c}: ${String(r[c])}`),
    );
    expect(leaks).toEqual([]);
  });

  it('the pattern catches the texts it is meant to catch (a test that cannot fail is a defect)', () => {
    for (const s of ['stored in kpi_churn_rate.target', 'see marts.mart_credit__portfolio_monthly', 'docs/grading.md', 'metrics/npl-ratio.ts', 'core.dim_code_labels']) {
      expect(DEVELOPER_TEXT.test(s), s).toBe(true);
    }
    expect(DEVELOPER_TEXT.test('不良贷款余额 ÷ 各项贷款余额')).toBe(false);
  });

  it('derived and absent targets read in both languages', () => {
    const churn = rows.find((r) => r.metric_id === 'churn_rate')!;
    expect([churn.target_text, churn.target_text_en]).toEqual(['上年同月 − 3 个百分点', 'Prior year − 3 pp']);
    const sat = rows.find((r) => r.metric_id === 'satisfaction_index')!;
    expect([sat.target_text, sat.target_text_en]).toEqual(['上年同月 + 5 分', 'Prior year + 5 pts']);
    const med = rows.find((r) => r.metric_id === 'verification_hours_median')!;
    expect([med.target_text, med.target_text_en]).toEqual(['无（配套指标）', 'None (companion indicator)']);
    const npl = rows.find((r) => r.metric_id === 'npl_ratio')!;
    expect([npl.target_text, npl.target_text_en, npl.tolerance_text_zh]).toEqual([
      '≤ 2.00%',
      '≤ 2.00%',
      '指标值 ≤ 目标为达标（绿）；高于目标 0.5 个百分点以内为预警（黄）；超出为未达标（红）',
    ]);
  });
});
