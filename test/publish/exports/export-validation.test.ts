import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { isCqError, type CqError } from '../../../transforms/lib/errors.js';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { generateSample } from '../../../transforms/sample/generate-sample.js';
import { exportPackage } from '../../../transforms/publish/exports/export-package.js';
import { MANIFEST_NAME, type Manifest } from '../../../transforms/publish/exports/manifest.js';
import type { BuiltReport } from '../../../transforms/publish/exports/report-table.js';
import { loadValidationRules, parseValidationRules } from '../../../transforms/publish/exports/validation-rules.js';
import { readZip, entryData } from '../../../transforms/publish/exports/zip-file.js';

/**
 * Validation rules (1104-style 表内 / 表间校验) on a generated sample (real generator, loader,
 * KPI engine, DuckDB): every month's package passes, every figure shown in more than one form has
 * one value, a planted one-cent disagreement is refused naming the rule and the cells; the
 * package carries institution, period and sign-off and no developer text.
 */

let root: string;
let wh: WarehouseHandle;
let months: string[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cq-export-validation-'));
  await generateSample({ customers: 300, months: 14, seed: 42, out: join(root, 'extracts') });
  const path = join(root, 'warehouse.duckdb');
  const w = await openWarehouse(path);
  await loadExtracts(w, join(root, 'extracts'));
  await buildWarehouse(w);
  await w.exec('CHECKPOINT');
  await w.close();
  wh = await openWarehouse(path, { readOnly: true });
  months = (await wh.all<{ m: string }>(`SELECT strftime(as_of_month, '%Y-%m') AS m FROM core.dim_months ORDER BY 1`)).map((r) => r.m);
}, 600_000);

afterAll(async () => {
  await wh?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function refusal(p: Promise<unknown>): Promise<CqError> {
  return p.then(
    () => {
      throw new Error('expected EXPORT_VALIDATION, the package was written');
    },
    (e) => {
      if (isCqError(e)) return e;
      throw e;
    },
  );
}

describe('one published figure, one value', () => {
  it('every month of the sample passes every rule, and every figure shown in more than one form is equal', async () => {
    expect(months.length).toBe(14);
    let shared = 0;
    for (const month of months) {
      let built: BuiltReport[] = [];
      await exportPackage(wh, { month, outDir: join(root, 'all'), pdf: false, beforeValidation: (r) => void (built = r) });
      const byKey = new Map<string, { form: string; v: bigint }[]>();
      for (const r of built) for (const t of r.tables) for (const row of t.rows) {
        for (const [field, key] of Object.entries(row.figures ?? {})) {
          const v = row.cells[field];
          if (typeof v === 'bigint') (byKey.get(key) ?? byKey.set(key, []).get(key)!).push({ form: `${r.template.id}/${row.id}`, v });
        }
      }
      for (const [key, cells] of byKey) {
        if (new Set(cells.map((c) => c.form.split('/')[0])).size > 1 || cells.length > 1) {
          shared++;
          expect(new Set(cells.map((c) => c.v)).size, `${month} ${key}: ${cells.map((c) => `${c.form}=${c.v}`).join(', ')}`).toBe(1);
        }
      }
      // the NPL balance of the book: five-category total row = NPL table (when the month has movements, = closing)
      const five = built.find((r) => r.template.id === 'five-category')!.tables[0]!.rows.find((x) => x.id === 'total')!;
      const npl = built.find((r) => r.template.id === 'npl-provisioning')!.tables[0]!.rows.find((x) => x.id === 'npl_balance')!;
      expect(five.cells.balance_npl, month).toBe(npl.cells.m0);
      // a borrower's NPL balance never exceeds the exposure
      for (const row of built.find((r) => r.template.id === 'large-exposures')!.tables[0]!.rows) {
        expect((row.cells.npl_balance as bigint) <= (row.cells.exposure as bigint), `${month} ${row.id}`).toBe(true);
      }
    }
    expect(shared).toBeGreaterThan(months.length); // the check compared something every month
  }, 600_000);

  it('a planted one-cent disagreement is refused, naming the rule, its text and the cells; nothing is written', async () => {
    const out = join(root, 'tampered');
    const e = await refusal(
      exportPackage(wh, {
        month: months.at(-1)!,
        outDir: out,
        pdf: false,
        beforeValidation: (reports) => {
          const row = reports.find((r) => r.template.id === 'npl-provisioning')!.tables[0]!.rows.find((x) => x.id === 'npl_balance')!;
          row.cells.m0 = (row.cells.m0 as bigint) + 1n; // +0.01 万元
        },
      }),
    );
    expect(e.code).toBe('EXPORT_VALIDATION');
    expect(e.message).toContain('rule X-01');
    expect(e.message).toContain('五级分类表不良贷款余额合计等于不良贷款及拨备情况表不良贷款余额');
    expect(e.message).toMatch(/five-category\/main row total column balance_npl = [\d.]+; npl-provisioning\/main row npl_balance column m0 = [\d.]+/);
    expect(e.message).toContain('rule NPL-02');
    expect(existsSync(join(out, months.at(-1)!))).toBe(false);
  });

  it('a row whose NPL balance exceeds its exposure is refused (LE-01)', async () => {
    const e = await refusal(
      exportPackage(wh, {
        month: months.at(-1)!,
        outDir: join(root, 'tampered2'),
        pdf: false,
        beforeValidation: (reports) => {
          const row = reports.find((r) => r.template.id === 'large-exposures')!.tables[0]!.rows[0]!;
          row.cells.npl_balance = (row.cells.exposure as bigint) + 1n;
        },
      }),
    );
    expect(e.message).toContain('rule LE-01');
    expect(e.message).toMatch(/large-exposures\/main row rank1 column npl_balance/);
  });
});

describe('validation rules are data', () => {
  it('the shipped rules load', () => {
    expect(loadValidationRules().map((r) => r.id)).toEqual(expect.arrayContaining(['G11-01', 'X-01', 'LE-01', 'X-04']));
  });

  it('errors name the file, the line and the fix', () => {
    const text = 'rules:\n  - id: A\n    kind: row_sum\n    form: five-category\n    text_zh: x\n    text_en: x\n    total: balance_total\n  - id: B\n    kind: nonsense\n';
    expect(() => parseValidationRules(text, 'policy/reports/validation/rules.yaml')).toThrow(/rules\.yaml:2: rules\[0\]\.parts must be a non-empty list.*Fix the rule/);
    expect(() => parseValidationRules(text.replace('    total: balance_total\n', '    parts: [a]\n    total: b\n'), 'r.yaml')).toThrow(/r\.yaml:9: rules\[1\]\.kind must be one of/);
  });

  it('a rule naming a column the form does not have fails naming the rule file and line', async () => {
    const file = join(root, 'rules.yaml');
    writeFileSync(file, 'rules:\n  - id: Z-1\n    kind: not_greater\n    form: five-category\n    smaller: balance_nope\n    larger: balance_total\n    text_zh: x\n    text_en: x\n');
    await expect(exportPackage(wh, { month: months.at(-1)!, outDir: join(root, 'r'), pdf: false, rulesFile: file })).rejects.toThrow(/rules\.yaml:2: rule Z-1 names column "balance_nope"/);
  });
});

describe('a submittable package', () => {
  it('institution, period, unit and sign-off on every form, recorded in the manifest; no developer text', async () => {
    const month = months.at(-1)!;
    const r = await exportPackage(wh, {
      month,
      outDir: join(root, 'signed'),
      pdf: false,
      signatories: { preparedBy: '张三', reviewedBy: '李四', approvedBy: '王五' },
      submittedOn: '2026-11-05',
    });
    const m = JSON.parse(readFileSync(join(r.dir, MANIFEST_NAME), 'utf8')) as Manifest;
    expect(m.sign_off).toMatchObject({ status: 'final', prepared_by: '张三', reviewed_by: '李四', approved_by: '王五', signed_off_by: '王五', submitted_on: '2026-11-05' });
    expect(m.institution).toEqual({ name_zh: '示例银行股份有限公司', name_en: 'Example Bank Co., Ltd.', code: 'B0000H000000001' });
    expect(m.validation?.passed).toBe(true);
    for (const f of m.files.filter((x) => x.format === 'xlsx')) {
      // what the forms show: the cells and the print header / footer (not the package's internal part names)
      const xml = readZip(readFileSync(join(r.dir, f.path))).filter((e) => /sharedStrings|worksheets\//.test(e.name)).map((e) => entryData(e).toString('utf8')).join('\n');
      for (const s of ['示例银行股份有限公司', 'B0000H000000001', '报告期', '单位 Unit: 万元', '填表人 Prepared by: 张三', '复核人 Reviewed by: 李四', '负责人 Approved by: 王五', '报送日期 Submitted on: 2026-11-05']) expect(xml, `${f.path}: ${s}`).toContain(s);
      // (the KPI definitions sheet quotes the metric catalogue's own descriptions, which may name tables: checked on the other forms)
      const dev = ['policy/reports', '--unmasked', 'manifest.json', 'Run:', 'DRAFT', ...(f.path.startsWith('kpi-') ? [] : ['metrics.', 'core.', 'marts.'])];
      for (const d of dev) expect(xml, `${f.path}: ${d}`).not.toContain(d);
    }
  });

  it('without a preparer the package is a draft: 草稿 DRAFT on every form and in the manifest', async () => {
    const r = await exportPackage(wh, { month: months.at(-1)!, outDir: join(root, 'draft'), pdf: false });
    expect(r.manifest.sign_off.status).toBe('draft');
    expect(r.manifest.sign_off.prepared_by).toBeNull();
    for (const f of r.manifest.files.filter((x) => x.format === 'xlsx')) {
      const xml = readZip(readFileSync(join(r.dir, f.path))).map((e) => entryData(e).toString('utf8')).join('\n');
      expect(xml, f.path).toContain('草稿 DRAFT');
    }
  });
});
