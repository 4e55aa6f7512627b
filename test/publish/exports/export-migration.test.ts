import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../transforms/lib/csv.js';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { isCqError } from '../../../transforms/lib/errors.js';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { exportPackage, type ExportResult } from '../../../transforms/publish/exports/export-package.js';
import type { BuiltReport } from '../../../transforms/publish/exports/report-table.js';
import { MIGRATION_EXPECTED, MIGRATION_KPI_EXPECTED, writeMigrationFixture } from '../../helpers/migration-fixture.js';

/**
 * The loan-quality migration form (贷款质量迁徙情况表, policy/reports/migration.yaml, layout after 1104
 * G12) on the hand-worked migration fixture (test/helpers/migration-fixture.ts): its amounts are the
 * mart's (CNY → 万元, here exact to 0.01 万元 so controlled rounding changes nothing), its rates the
 * KPIs', its opening balances the five-category form's figures of the period-start month's own
 * package, and its validation rules bite.
 */
let root: string;
let wh: WarehouseHandle;
let june: ExportResult;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cq-export-mig-'));
  const extracts = writeMigrationFixture(join(root, 'extracts'));
  const file = join(root, 'warehouse.duckdb');
  const w = await openWarehouse(file);
  await loadExtracts(w, extracts);
  await buildWarehouse(w);
  await w.exec('CHECKPOINT');
  await w.close();
  wh = await openWarehouse(file, { readOnly: true });
  june = await exportPackage(wh, { month: '2026-06', outDir: join(root, 'out'), pdf: false });
}, 300_000);

afterAll(async () => {
  await wh?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The CSV of a table as objects keyed by the English header. */
function csvRows(dir: string, name: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, name), 'utf8'));
  return rows.filter((r) => r.length === header!.length).map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

describe('贷款质量迁徙情况表 (migration form) on the migration fixture, 2026-06', () => {
  it('is in the package: one CSV per period table and one workbook, listed in the manifest', () => {
    const files = june.manifest.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['migration.xlsx', 'migration.csv', 'migration-month.csv']));
    const rep = june.manifest.reports.find((r) => r.id === 'migration')!;
    expect(rep).toMatchObject({ kind: 'class_migration', title_zh: '贷款质量迁徙情况表', template: 'policy/reports/migration.yaml' });
    expect(rep.tables.map((t) => [t.id, t.file, t.data_rows])).toEqual([
      ['ytd', 'migration', 6],
      ['month', 'migration-month', 6],
    ]);
    expect(june.manifest.validation!.rules).toEqual(expect.arrayContaining(['G12-01', 'G12-16', 'X-05']));
  });

  it('rows by class: opening, decrease and its parts, migrated, in 万元 (the hand-worked figures ÷ 10,000)', () => {
    const header = parseCsv(readFileSync(join(june.dir, 'migration.csv'), 'utf8'))[0]!;
    expect(header.slice(0, 4)).toEqual(['项目 Item (Chinese)', '项目（英文） Item', '期初余额 Opening balance', '期间减少 Decrease in the period'].map((h) => expect.stringContaining(h.split(' ')[0]!)));
    for (const [file, period] of [['migration.csv', 'ytd'], ['migration-month.csv', 'month']] as const) {
      const rows = parseCsv(readFileSync(join(june.dir, file), 'utf8')).slice(1);
      const byLabel = new Map(rows.map((r) => [r[0], r]));
      for (const [cls, e] of Object.entries(MIGRATION_EXPECTED[period])) {
        const r = byLabel.get(`${cls}类贷款`)!;
        expect(r, `${period} ${cls}`).toBeDefined();
        // columns: label_zh, label_en, opening, decrease, repaid, written off, transferred, unreported, remaining, 5 × to, migrated, rate
        const wan = (v: number) => (v / 10_000).toFixed(2);
        expect([r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[14]], `${period} ${cls}`).toEqual(
          [e.opening, e.decrease, e.repaid, e.writtenOff, 0, e.unreported, e.remaining, e.migrated].map((v) => wan(v)),
        );
      }
    }
  });

  it('rates are the KPIs (year to date and month on month), 损失类 and 合计 have none', () => {
    const check = (file: string, suffix: '' | '_mom') => {
      const rows = new Map(parseCsv(readFileSync(join(june.dir, file), 'utf8')).slice(1).map((r) => [r[0], r]));
      const rate = (label: string) => rows.get(label)![15];
      const k = MIGRATION_KPI_EXPECTED;
      expect(Number(rate('正常类贷款'))).toBeCloseTo(k[`migration_rate_normal${suffix}`].all[2], 10);
      expect(Number(rate('关注类贷款'))).toBeCloseTo(k[`migration_rate_special_mention${suffix}`].all[2], 10);
      expect(Number(rate('次级类贷款'))).toBeCloseTo(k[`migration_rate_substandard${suffix}`].all[2], 10);
      expect(Number(rate('可疑类贷款'))).toBeCloseTo(k[`migration_rate_doubtful${suffix}`].all[2], 10);
      expect(Number(rate('正常贷款（正常类 + 关注类）'))).toBeCloseTo(k[`migration_rate_normal_loans${suffix}`].all[2], 10);
      expect(rate('损失类贷款')).toBe('');
      expect(rate('合计')).toBe('');
    };
    check('migration.csv', '');
    check('migration-month.csv', '_mom');
  });

  it('正常贷款 = 正常类 + 关注类 with migrated = turned non-performing; 合计 = the book at the period start', () => {
    const rows = new Map(parseCsv(readFileSync(join(june.dir, 'migration.csv'), 'utf8')).slice(1).map((r) => [r[0], r]));
    const n = rows.get('正常贷款（正常类 + 关注类）')!;
    // ytd: opening 365,000 + 93,000 = 458,000 → 45.80; remaining 279,000 + 58,500 = 337,500 → 33.75; to NPL 14,000 → 1.40.
    expect([n[2], n[8], n[14]]).toEqual(['45.80', '33.75', '1.40']);
    const t = rows.get('合计')!;
    // Book at 2025-12-31: 365,000 + 93,000 + 54,000 + 22,000.25 + 0 (no 损失 loan at Y) = 534,000.25 → 53.40 万元.
    expect(t[2]).toBe('53.40');
  });

  it('opening balances equal the five-category form of the period-start month’s own package (same published figures)', async () => {
    for (const [month, file, col] of [['2025-12', 'migration.csv', 'ytd'], ['2026-05', 'migration-month.csv', 'month']] as const) {
      const pkg = await exportPackage(wh, { month, outDir: join(root, `g11-${month}`), pdf: false, reports: ['five-category'] });
      const g11 = parseCsv(readFileSync(join(pkg.dir, 'five-category.csv'), 'utf8'));
      const total = g11.find((r) => r[0] === '合计')!;
      const header = g11[0]!;
      const at = (h: string) => total[header.findIndex((x) => x.startsWith(h))]!;
      const mig = new Map(parseCsv(readFileSync(join(june.dir, file), 'utf8')).slice(1).map((r) => [r[0], r]));
      for (const cls of ['正常', '关注', '次级', '可疑', '损失']) expect(mig.get(`${cls}类贷款`)![2], `${col} ${cls}`).toBe(at(`${cls}类余额`));
      expect(mig.get('合计')![2], col).toBe(at('贷款余额合计'));
    }
  });

  it('validation bites: a one-cent change to a migrated cell fails the package (G12-04 / G12-03)', async () => {
    const plant = (reports: BuiltReport[]) => {
      const t = reports.find((r) => r.template.id === 'migration')!.tables[0]!;
      const row = t.rows.find((r) => r.id === 'pass')!;
      row.cells.to_special_mention = (row.cells.to_special_mention as bigint) + 1n;
    };
    const err = await exportPackage(wh, { month: '2026-06', outDir: join(root, 'bad'), pdf: false, beforeValidation: plant }).catch((e: unknown) => e);
    expect(isCqError(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/G12-03/);
  });
});
