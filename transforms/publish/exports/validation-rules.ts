import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { CqError } from '../../lib/errors.js';
import { REPO_ROOT } from '../../lib/repo-root.js';
import { REPORTS_DIR } from './report-template.js';
import { isCapped, isNoData, wanUnitsText, type BuiltReport, type BuiltTable, type Cell, type TableRow } from './report-table.js';

/**
 * Declared validation rules of the regulator package, like the 1104 表内 / 表间校验: data in
 * `policy/reports/validation/rules.yaml`, run on the rounded published cells of every package
 * before anything is written. A package that fails one is refused (EXPORT_VALIDATION) naming the
 * rule, its text and the cells with their values.
 *
 * Kinds:
 * - `row_sum`: in every data and total row of `form`, Σ `parts` = `total`;
 * - `column_sum`: for each of `columns`, in every block of data rows (between section headings)
 *   the rows add up to the table's total row;
 * - `not_greater`: in every data and total row, `smaller` ≤ `larger`;
 * - `equal`: the listed `cells` ({form, table?, row, column}) are equal;
 * - `linear`: in `column`, Σ sign × `terms` rows = the `equals` row;
 * - `same_figure`: every cell that shows the same published figure (published-figures.ts) shows
 *   the same value, in every form.
 */

/** Where the shipped rules live. */
export const VALIDATION_RULES_FILE = join(REPORTS_DIR, 'validation', 'rules.yaml');

/** A cell of the package: form (report id), table (default the first), row id, column field. */
export interface CellRef {
  form: string;
  table?: string;
  row: string;
  column: string;
}

/** One declared rule. */
export interface ValidationRule {
  id: string;
  text_zh: string;
  text_en: string;
  kind: 'row_sum' | 'column_sum' | 'not_greater' | 'equal' | 'linear' | 'same_figure';
  form?: string;
  table?: string;
  parts?: string[];
  total?: string;
  columns?: string[];
  smaller?: string;
  larger?: string;
  cells?: CellRef[];
  column?: string;
  terms?: { row: string; sign: 1 | -1 }[];
  equals?: string;
  /** File and line the rule was declared at (for messages). */
  file: string;
  line: number;
}

/** A failed rule: the rule and the cells with their values. */
export interface RuleFailure {
  rule: ValidationRule;
  cells: { form: string; table: string; row: string; column: string; value: string }[];
  detail: string;
}

const KINDS = ['row_sum', 'column_sum', 'not_greater', 'equal', 'linear', 'same_figure'] as const;

/**
 * Loads and validates the rules file; errors name the file, the line and the fix (EXPORT_FAILED).
 *
 * @example
 * const rules = loadValidationRules(); // policy/reports/validation/rules.yaml
 */
export function loadValidationRules(file: string = VALIDATION_RULES_FILE): ValidationRule[] {
  const rel = relative(REPO_ROOT, file).startsWith('..') ? file : relative(REPO_ROOT, file);
  const text = readFileSync(file, 'utf8');
  return parseValidationRules(text, rel);
}

/** Parses rules YAML text (see {@link loadValidationRules}). @example parseValidationRules('rules: []', 'x.yaml') // [] */
export function parseValidationRules(text: string, file: string): ValidationRule[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const fail = (line: number, why: string): never => {
    throw new CqError('EXPORT_FAILED', `${file}:${line}: ${why} Fix the rule (see docs/exports.md, "Validation rules").`, { file, line });
  };
  if (doc.errors.length) fail(doc.errors[0]!.linePos?.[0]?.line ?? 1, `not valid YAML (${doc.errors[0]!.message}).`);
  const lineOf = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  const root = doc.contents;
  const list = isMap(root) ? root.get('rules', true) : undefined;
  if (!isSeq(list)) return fail(lineOf(root as Node), 'needs a list `rules:`.');
  const ids = new Set<string>();
  return list.items.map((node, i) => {
    const line = lineOf(node as Node);
    const r = (node as { toJSON(): unknown }).toJSON() as Record<string, unknown>;
    const where = `rules[${i}]`;
    const str = (k: string) => {
      if (typeof r[k] !== 'string' || !(r[k] as string).trim()) fail(line, `${where}.${k} must be a non-empty string.`);
      return r[k] as string;
    };
    const strs = (k: string) => {
      const v = r[k];
      if (!Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'string')) fail(line, `${where}.${k} must be a non-empty list of column / row names.`);
      return v as string[];
    };
    const id = str('id');
    if (ids.has(id)) fail(line, `${where}.id "${id}" is used twice.`);
    ids.add(id);
    const kind = r.kind as ValidationRule['kind'];
    if (!KINDS.includes(kind)) fail(line, `${where}.kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(r.kind)}.`);
    const rule: ValidationRule = { id, kind, text_zh: str('text_zh'), text_en: str('text_en'), file, line };
    if (kind !== 'same_figure' && kind !== 'equal') rule.form = str('form');
    if (r.table !== undefined) rule.table = str('table');
    if (kind === 'row_sum') Object.assign(rule, { parts: strs('parts'), total: str('total') });
    if (kind === 'column_sum') rule.columns = strs('columns');
    if (kind === 'not_greater') Object.assign(rule, { smaller: str('smaller'), larger: str('larger') });
    if (kind === 'equal') {
      const cells = r.cells;
      if (!Array.isArray(cells) || cells.length < 2) fail(line, `${where}.cells must list at least two cells {form, row, column}.`);
      rule.cells = (cells as Record<string, unknown>[]).map((c, j) => {
        for (const k of ['form', 'row', 'column']) if (typeof c?.[k] !== 'string') fail(line, `${where}.cells[${j}].${k} must be a string.`);
        return { form: c.form as string, row: c.row as string, column: c.column as string, ...(typeof c.table === 'string' ? { table: c.table } : {}) };
      });
    }
    if (kind === 'linear') {
      rule.column = str('column');
      rule.equals = str('equals');
      const terms = r.terms;
      if (!Array.isArray(terms) || !terms.length || terms.some((t) => typeof t !== 'string' || !/^[+-]\S+$/.test(t))) fail(line, `${where}.terms must be a list like ["+opening", "-cured"].`);
      rule.terms = (terms as string[]).map((t) => ({ row: t.slice(1), sign: t[0] === '-' ? -1 : 1 }));
    }
    return rule;
  });
}

type Units = bigint | undefined;

/** A money cell's value in 0.01 万元 units; undefined for empty / no-data / capped (a KPI ratio, display only) / non-money cells. */
function units(c: Cell | undefined): Units {
  return typeof c === 'bigint' ? c : undefined;
}

function show(c: Cell | undefined): string {
  if (typeof c === 'bigint') return wanUnitsText(c);
  if (c === null || c === undefined) return '(empty)';
  if (isNoData(c)) return '— (no data)';
  // A capped cell shows its real number here: rules judge numbers, never the cap text.
  if (isCapped(c)) return `${c.value} (shown ${c.text})`;
  return String(c);
}

/**
 * Runs the rules on the built reports (the rounded published cells). Rules on a form that is not
 * in the package are skipped; a rule naming a column, table or row the form does not have fails
 * with EXPORT_FAILED naming the rule's file and line.
 *
 * @example
 * const failures = runValidationRules(reports, loadValidationRules());
 */
export function runValidationRules(reports: readonly BuiltReport[], rules: readonly ValidationRule[]): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const bad = (r: ValidationRule, why: string): never => {
    throw new CqError('EXPORT_FAILED', `${r.file}:${r.line}: rule ${r.id} ${why} Fix the rule or the report layout (docs/exports.md, "Validation rules").`, { file: r.file, line: r.line });
  };
  const tableOf = (r: ValidationRule, form: string, table?: string): BuiltTable | undefined => {
    const rep = reports.find((x) => x.template.id === form);
    if (!rep) return undefined;
    const t = table ? rep.tables.find((x) => x.spec.id === table) : rep.tables[0];
    if (!t) bad(r, `names table "${table}", which form ${form} does not have.`);
    return t;
  };
  const needColumn = (r: ValidationRule, t: BuiltTable, col: string) => {
    if (!t.spec.columns.some((c) => c.field === col) && !t.rows.some((row) => col in row.cells)) bad(r, `names column "${col}", which ${t.spec.file} does not have.`);
  };
  const rowOf = (r: ValidationRule, t: BuiltTable, id: string): TableRow => t.rows.find((x) => x.id === id) ?? bad(r, `names row "${id}", which ${t.spec.file} does not have (rows: ${t.rows.flatMap((x) => (x.id ? [x.id] : [])).slice(0, 12).join(', ')}…).`);
  const ref = (t: BuiltTable, form: string, row: TableRow, column: string) => ({ form, table: t.spec.id, row: row.id ?? '?', column, value: show(row.cells[column]) });

  for (const r of rules) {
    if (r.kind === 'same_figure') {
      const seen = new Map<string, { cell: ReturnType<typeof ref>; v: bigint }[]>();
      for (const rep of reports) {
        for (const t of rep.tables) {
          for (const row of t.rows) {
            for (const [field, key] of Object.entries(row.figures ?? {})) {
              const v = units(row.cells[field]);
              if (v === undefined) continue;
              (seen.get(key) ?? seen.set(key, []).get(key)!).push({ cell: ref(t, rep.template.id, row, field), v });
            }
          }
        }
      }
      for (const [key, cells] of seen) {
        if (new Set(cells.map((c) => c.v)).size > 1) failures.push({ rule: r, cells: cells.map((c) => c.cell), detail: `figure ${key} shows different values` });
      }
      continue;
    }
    if (r.kind === 'equal') {
      const cells: ReturnType<typeof ref>[] = [];
      const vals: Units[] = [];
      let missingForm = false;
      for (const c of r.cells!) {
        const t = tableOf(r, c.form, c.table);
        if (!t) {
          missingForm = true;
          break;
        }
        needColumn(r, t, c.column);
        const row = rowOf(r, t, c.row);
        cells.push(ref(t, c.form, row, c.column));
        vals.push(units(row.cells[c.column]));
      }
      if (missingForm) continue;
      // A cell without data ("— [n]", its footnote says why) is not a disagreement; two figures are.
      const distinct = new Set(vals.flatMap((v) => (v === undefined ? [] : [v.toString()])));
      if (distinct.size > 1) failures.push({ rule: r, cells, detail: 'cells differ' });
      continue;
    }
    const t = tableOf(r, r.form!, r.table);
    if (!t) continue;
    const rows = t.rows.filter((x) => x.kind !== 'section');
    if (r.kind === 'row_sum') {
      for (const c of [...r.parts!, r.total!]) needColumn(r, t, c);
      for (const row of rows) {
        const parts = r.parts!.map((c) => units(row.cells[c]));
        const total = units(row.cells[r.total!]);
        if (total === undefined || parts.some((p) => p === undefined)) continue;
        const sum = parts.reduce((a, b) => a! + b!, 0n)!;
        if (sum !== total) failures.push({ rule: r, cells: [...r.parts!, r.total!].map((c) => ref(t, r.form!, row, c)), detail: `Σ parts = ${wanUnitsText(sum)}, total = ${wanUnitsText(total)}` });
      }
    } else if (r.kind === 'not_greater') {
      needColumn(r, t, r.smaller!);
      needColumn(r, t, r.larger!);
      for (const row of rows) {
        const a = units(row.cells[r.smaller!]);
        const b = units(row.cells[r.larger!]);
        if (a !== undefined && b !== undefined && a > b) failures.push({ rule: r, cells: [ref(t, r.form!, row, r.smaller!), ref(t, r.form!, row, r.larger!)], detail: `${wanUnitsText(a)} > ${wanUnitsText(b)}` });
      }
    } else if (r.kind === 'column_sum') {
      for (const c of r.columns!) needColumn(r, t, c);
      const total = t.rows.find((x) => x.kind === 'total');
      if (!total) bad(r, `needs a total row, which ${t.spec.file} does not have.`);
      const blocks: TableRow[][] = [[]];
      for (const row of t.rows) {
        if (row.kind === 'section') blocks.push([]);
        else if (row.kind === 'data') blocks[blocks.length - 1]!.push(row);
      }
      for (const block of blocks.filter((b) => b.length)) {
        for (const c of r.columns!) {
          const vals = block.map((row) => units(row.cells[c]));
          const tv = units(total!.cells[c]);
          if (tv === undefined || vals.some((v) => v === undefined)) continue;
          const sum = vals.reduce((a, b) => a! + b!, 0n)!;
          if (sum !== tv) failures.push({ rule: r, cells: [...block.map((row) => ref(t, r.form!, row, c)), ref(t, r.form!, total!, c)], detail: `Σ rows = ${wanUnitsText(sum)}, total row = ${wanUnitsText(tv)}` });
        }
      }
    } else if (r.kind === 'linear') {
      needColumn(r, t, r.column!);
      const terms = r.terms!.map((x) => ({ row: rowOf(r, t, x.row), sign: x.sign }));
      const eq = rowOf(r, t, r.equals!);
      const vals = terms.map((x) => units(x.row.cells[r.column!]));
      const ev = units(eq.cells[r.column!]);
      if (ev === undefined || vals.some((v) => v === undefined)) continue;
      const sum = terms.reduce((a, x, i) => a + BigInt(x.sign) * vals[i]!, 0n);
      if (sum !== ev) failures.push({ rule: r, cells: [...terms.map((x) => ref(t, r.form!, x.row, r.column!)), ref(t, r.form!, eq, r.column!)], detail: `Σ terms = ${wanUnitsText(sum)}, ${r.equals} = ${wanUnitsText(ev)}` });
    }
  }
  return failures;
}

/**
 * Throws EXPORT_VALIDATION when a rule failed: each failed rule with its id, text and cells
 * (form / table / row / column = value).
 *
 * @example
 * enforceValidation(runValidationRules(reports, rules), '2026-10');
 */
export function enforceValidation(failures: readonly RuleFailure[], month: string): void {
  if (!failures.length) return;
  const lines = failures.slice(0, 10).map((f) => {
    const cells = f.cells.slice(0, 8).map((c) => `${c.form}/${c.table} row ${c.row} column ${c.column} = ${c.value}`).join('; ');
    return `- rule ${f.rule.id} (${f.rule.file}:${f.rule.line}) ${f.rule.text_zh} / ${f.rule.text_en}: ${f.detail}. Cells: ${cells}${f.cells.length > 8 ? '; …' : ''}`;
  });
  const first = failures[0]!;
  throw new CqError(
    'EXPORT_VALIDATION',
    `the ${month} package fails ${failures.length} validation check(s) and was not written:\n${lines.join('\n')}${failures.length > 10 ? `\n… and ${failures.length - 10} more` : ''}\nFix: the figures disagree on the rounded published cells; this is a defect of the export (report it with this message), or a rule that does not fit a changed layout (edit ${first.rule.file}).`,
    { file: first.rule.file, line: first.rule.line, key: first.rule.id },
  );
}
