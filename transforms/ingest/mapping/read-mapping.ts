import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ENTITIES, type ColumnContract, type EntityContract } from '../contract/index.js';
import type { ExtractEncoding } from '../load/extract-files.js';
import { mappingError } from './mapping-errors.js';
import type { BusinessDateVars, CodeTable, ColumnSpec, EntityMapping, MappingSpec, SourceSpec } from './mapping-types.js';

const TOP_KEYS = ['name', 'description', 'business_dates', 'sources', 'code_tables', 'entities'];
const SOURCE_KEYS = ['file', 'encoding', 'null_values'];
const ENTITY_KEYS = ['from', 'dates', 'one_row_per', 'columns', 'rows', 'retain', 'note'];
const COLUMN_KEYS = ['source', 'expr', 'const', 'default', 'note', 'translate', 'otherwise', 'date_format', 'scale', 'numeric'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Plain = Record<string, unknown>;

/**
 * Reads and checks a mapping file against the contract, before any data is touched: unknown keys,
 * entities or contract columns, required contract columns without a source, malformed dates,
 * code tables, translations naming a missing table, `default` without a `note` — each a
 * `MAPPING_INVALID` error naming the file, key and line. Source columns are checked later,
 * against the source file's header (`MAPPING_UNKNOWN_COLUMN`).
 *
 * @example
 * const spec = readMapping(resolveMappingFile('lending-club')); // resolveMappingFile: mapping-location.ts
 * spec.businessDates; // [{ date: '2018-06-30', vars: {} }]
 */
export function readMapping(path: string): MappingSpec {
  const text = readFileSync(path, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const lines = new Map<string, number>();
  /** Line of a key, or of its nearest parent key present in the file (e.g. a shorthand `loan_id: 借据号` for `….loan_id.source`). */
  const lineOf = (key: string): number | undefined => {
    for (let k = key; k; k = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '') {
      const line = lines.get(k);
      if (line !== undefined) return line;
    }
    return undefined;
  };
  const ctx = { path, lineOf };
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw mappingError('MAPPING_INVALID', { path, lineOf: () => line }, '(file)', `not valid YAML/JSON: ${e.message.split('\n')[0]!.replace(/:$/, '')}`);
  }
  indexLines(doc.contents as Node | null, '', lines, lineCounter);
  const root = doc.toJS() as unknown;
  const fail = (key: string, message: string): never => {
    throw mappingError('MAPPING_INVALID', ctx, key, message);
  };
  const top = asObject(root, '(file)', fail, 'a mapping (name, business_dates, sources, code_tables, entities)');
  checkKeys(top, TOP_KEYS, '', fail);

  const name = top.name === undefined ? basename(path).replace(/\.(ya?ml|json)$/, '') : asString(top.name, 'name', fail);
  const description = top.description === undefined ? '' : asString(top.description, 'description', fail);
  const businessDates = top.business_dates === undefined ? null : readBusinessDates(top.business_dates, fail);
  const sources = readSources(top.sources, fail);
  const codeTables = readCodeTables(top.code_tables, fail);
  const entitiesObj = asObject(top.entities, 'entities', fail, 'contract entity name → how it is produced');
  const entities: Record<string, EntityMapping> = {};
  for (const [entityName, value] of Object.entries(entitiesObj)) {
    const contract = ENTITIES.find((e) => e.name === entityName);
    if (!contract) fail(`entities.${entityName}`, `"${entityName}" is not a contract entity. Known: ${ENTITIES.map((e) => e.name).join(', ')}.`);
    entities[entityName] = readEntity(contract!, value, { sources, codeTables, businessDates, lineOf }, fail);
  }
  return { name, path, description, businessDates, sources, codeTables, entities, lineOf };
}

function readBusinessDates(value: unknown, fail: (k: string, m: string) => never): BusinessDateVars[] {
  const key = 'business_dates';
  const checkDate = (d: string, k: string) => {
    if (!DATE.test(d) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) fail(k, `"${d}" is not a date YYYY-MM-DD.`);
  };
  let out: BusinessDateVars[];
  if (Array.isArray(value)) {
    out = value.map((d, i) => {
      const s = asString(d, `${key}.${i}`, fail);
      checkDate(s, `${key}.${i}`);
      return { date: s, vars: {} };
    });
  } else {
    const obj = asObject(value, key, fail, 'a list of dates, or date → { variable: value }');
    out = Object.entries(obj).map(([d, vars]) => {
      checkDate(d, `${key}.${d}`);
      const v = vars === null ? {} : asObject(vars, `${key}.${d}`, fail, 'variable → value');
      const varsOut: Record<string, string> = {};
      for (const [n, x] of Object.entries(v)) {
        if (!VAR_NAME.test(n)) fail(`${key}.${d}.${n}`, `variable name "${n}" must be letters, digits and _.`);
        if (n === 'business_date') fail(`${key}.${d}.${n}`, 'business_date is built in: it is always the business date.');
        varsOut[n] = scalarText(x, `${key}.${d}.${n}`, fail);
      }
      return { date: d, vars: varsOut };
    });
  }
  if (out.length === 0) fail(key, 'lists no business date.');
  const names = JSON.stringify(Object.keys(out[0]!.vars).sort());
  for (const d of out) {
    if (JSON.stringify(Object.keys(d.vars).sort()) !== names) fail(`${key}.${d.date}`, `every business date must define the same variables (${names}).`);
  }
  if (new Set(out.map((d) => d.date)).size !== out.length) fail(key, 'lists a date twice.');
  return [...out].sort((a, b) => a.date.localeCompare(b.date));
}

function readSources(value: unknown, fail: (k: string, m: string) => never): Record<string, SourceSpec> {
  const obj = asObject(value ?? {}, 'sources', fail, 'source name → { file, encoding, null_values }');
  const out: Record<string, SourceSpec> = {};
  for (const [name, v] of Object.entries(obj)) {
    const key = `sources.${name}`;
    const s = asObject(v, key, fail, '{ file, encoding, null_values }');
    checkKeys(s, SOURCE_KEYS, key, fail);
    const file = asString(s.file, `${key}.file`, fail);
    let encoding: ExtractEncoding | null = null;
    if (s.encoding !== undefined) {
      if (s.encoding !== 'utf-8' && s.encoding !== 'gb18030') fail(`${key}.encoding`, `must be "utf-8" or "gb18030", got ${JSON.stringify(s.encoding)}.`);
      encoding = s.encoding as ExtractEncoding;
    }
    const nullValues = s.null_values === undefined ? [] : asList(s.null_values, `${key}.null_values`, fail).map((x, i) => scalarText(x, `${key}.null_values.${i}`, fail));
    out[name] = { name, file, encoding, nullValues, key };
  }
  return out;
}

function readCodeTables(value: unknown, fail: (k: string, m: string) => never): Record<string, CodeTable> {
  const obj = asObject(value ?? {}, 'code_tables', fail, 'table name → { code: value } or { columns: [...], rows: { code: [...] } }');
  const out: Record<string, CodeTable> = {};
  for (const [name, v] of Object.entries(obj)) {
    const key = `code_tables.${name}`;
    if (!VAR_NAME.test(name)) fail(key, `table name "${name}" must be letters, digits and _.`);
    const t = asObject(v, key, fail, '{ code: value } or { columns: [...], rows: { code: [...] } }');
    const rows = new Map<string, string[]>();
    if (Object.keys(t).length === 2 && 'columns' in t && 'rows' in t) {
      const columns = asList(t.columns, `${key}.columns`, fail).map((c, i) => asString(c, `${key}.columns.${i}`, fail));
      for (const [code, vals] of Object.entries(asObject(t.rows, `${key}.rows`, fail, 'code → [values]'))) {
        const list = asList(vals, `${key}.rows.${code}`, fail).map((x, i) => scalarText(x, `${key}.rows.${code}.${i}`, fail));
        if (list.length !== columns.length) fail(`${key}.rows.${code}`, `has ${list.length} value(s) but the table has ${columns.length} column(s) (${columns.join(', ')}).`);
        rows.set(code, list);
      }
      out[name] = { name, columns, rows, key };
    } else {
      for (const [code, x] of Object.entries(t)) rows.set(code, [scalarText(x, `${key}.${code}`, fail)]);
      out[name] = { name, columns: null, rows, key };
    }
    if (rows.size === 0) fail(key, 'has no codes.');
  }
  return out;
}

function readEntity(
  entity: EntityContract,
  value: unknown,
  ctx: {
    sources: Record<string, SourceSpec>;
    codeTables: Record<string, CodeTable>;
    businessDates: BusinessDateVars[] | null;
    lineOf: (key: string) => number | undefined;
  },
  fail: (k: string, m: string) => never,
): EntityMapping {
  const key = `entities.${entity.name}`;
  const e = asObject(value, key, fail, '{ from, columns } or { rows }');
  checkKeys(e, ENTITY_KEYS, key, fail);
  const dates = e.dates === undefined ? null : asList(e.dates, `${key}.dates`, fail).map((d, i) => asString(d, `${key}.dates.${i}`, fail));
  if (dates && ctx.businessDates) {
    for (const [i, d] of dates.entries()) {
      if (!ctx.businessDates.some((b) => b.date === d)) fail(`${key}.dates.${i}`, `"${d}" is not one of business_dates (${ctx.businessDates.map((b) => b.date).join(', ')}).`);
    }
  }
  if (e.rows !== undefined) {
    if (e.from !== undefined || e.columns !== undefined || e.one_row_per !== undefined || e.retain !== undefined) {
      fail(key, 'use either rows (constant rows) or from + columns, not both.');
    }
    const rows = asList(e.rows, `${key}.rows`, fail).map((r, i) => {
      const rk = `${key}.rows.${i}`;
      const row = asObject(r, rk, fail, 'contract column → value');
      const values: Record<string, string | null> = {};
      for (const [col, x] of Object.entries(row)) {
        if (!entity.columns.some((c) => c.name === col)) fail(`${rk}.${col}`, unknownContractColumn(entity, col));
        values[col] = x === null || x === '' ? null : scalarText(x, `${rk}.${col}`, fail);
      }
      for (const c of entity.columns) {
        if (c.required && (values[c.name] === undefined || values[c.name] === null)) fail(rk, `required contract column ${c.name} has no value.`);
        checkConstantCode(c, values[c.name] ?? null, `${rk}.${c.name}`, fail);
      }
      return { values, line: ctx.lineOf(rk) ?? i + 1 };
    });
    if (rows.length === 0) fail(`${key}.rows`, 'is empty: leave the entity out of the mapping if the source has none.');
    return { entity, kind: 'rows', from: null, dates, oneRowPer: [], columns: {}, rows, retain: {}, key };
  }
  const from = asString(e.from, `${key}.from`, fail);
  if (!ctx.sources[from]) fail(`${key}.from`, `no source "${from}" in sources (${Object.keys(ctx.sources).join(', ') || 'none'}).`);
  const colsObj = asObject(e.columns, `${key}.columns`, fail, 'contract column → source column or { source | expr | const | default, … }');
  const columns: Record<string, ColumnSpec> = {};
  for (const [col, spec] of Object.entries(colsObj)) {
    if (!entity.columns.some((c) => c.name === col)) fail(`${key}.columns.${col}`, unknownContractColumn(entity, col));
    columns[col] = readColumn(spec, `${key}.columns.${col}`, ctx.codeTables, fail);
    const contractColumn = entity.columns.find((c) => c.name === col)!;
    checkConstantCode(contractColumn, columns[col]!.const, `${key}.columns.${col}.const`, fail);
    checkConstantCode(contractColumn, columns[col]!.default, `${key}.columns.${col}.default`, fail);
  }
  for (const c of entity.columns) {
    if (c.required && !columns[c.name]) {
      fail(`${key}.columns`, `required contract column ${c.name} (${c.type}) is not mapped. Fix: give a source, expr or const, or a default with a note if the source lacks it.`);
    }
  }
  const oneRowPer = e.one_row_per === undefined ? [] : (typeof e.one_row_per === 'string' ? [e.one_row_per] : asList(e.one_row_per, `${key}.one_row_per`, fail)).map((c, i) => asString(c, `${key}.one_row_per.${i}`, fail));
  for (const c of oneRowPer) if (!columns[c]) fail(`${key}.one_row_per`, `${c} is not a mapped column of ${entity.name}.`);
  const retainObj = e.retain === undefined ? {} : asObject(e.retain, `${key}.retain`, fail, 'name → source column');
  const retain: Record<string, string> = {};
  for (const [n, c] of Object.entries(retainObj)) retain[n] = asString(c, `${key}.retain.${n}`, fail);
  return { entity, kind: 'source', from, dates, oneRowPer, columns, rows: [], retain, key };
}

function readColumn(value: unknown, key: string, codeTables: Record<string, CodeTable>, fail: (k: string, m: string) => never): ColumnSpec {
  const empty: ColumnSpec = { source: null, expr: null, const: null, default: null, note: null, translate: null, otherwise: null, dateFormat: null, scale: null, numeric: false, key };
  if (typeof value === 'string') return { ...empty, source: value };
  const c = asObject(value, key, fail, 'a source column name or { source | expr | const | default, … }');
  checkKeys(c, COLUMN_KEYS, key, fail);
  const opt = (k: string) => (c[k] === undefined ? null : scalarText(c[k], `${key}.${k}`, fail));
  const spec: ColumnSpec = {
    ...empty,
    source: c.source === undefined ? null : asString(c.source, `${key}.source`, fail),
    expr: c.expr === undefined ? null : asString(c.expr, `${key}.expr`, fail),
    const: opt('const'),
    default: opt('default'),
    note: opt('note'),
    otherwise: opt('otherwise'),
    dateFormat: c.date_format === undefined ? null : asString(c.date_format, `${key}.date_format`, fail),
    numeric: c.numeric === undefined ? false : c.numeric === true ? true : c.numeric === false ? false : fail(`${key}.numeric`, 'must be true or false.'),
  };
  const kinds = (['source', 'expr', 'const'] as const).filter((k) => spec[k] !== null);
  if (kinds.length > 1) fail(key, `give one of source, expr or const, not ${kinds.join(' and ')}.`);
  if (kinds.length === 0 && spec.default === null) fail(key, 'needs source, expr, const, or a default (with a note) when the source lacks the field.');
  if (spec.default !== null && !spec.note) fail(key, 'a default needs a note saying why it is acceptable; the note is stored with the default in ops.mapping_defaults.');
  if (spec.const !== null && spec.default !== null) fail(key, 'a const is never empty: drop the default.');
  let scale: number | null = null;
  if (c.scale !== undefined) {
    if (typeof c.scale !== 'number' || !Number.isFinite(c.scale) || c.scale === 0) fail(`${key}.scale`, `must be a non-zero number (e.g. 0.01 for percent, 10000 for amounts in 万), got ${JSON.stringify(c.scale)}.`);
    scale = c.scale as number;
  }
  let translate: ColumnSpec['translate'] = null;
  if (c.translate !== undefined) {
    const ref = asString(c.translate, `${key}.translate`, fail);
    const [table, column, ...rest] = ref.split('.');
    const t = codeTables[table!];
    if (!t || rest.length) fail(`${key}.translate`, `no code table "${ref}" in code_tables (${Object.keys(codeTables).join(', ') || 'none'}).`);
    if (t!.columns === null && column !== undefined) fail(`${key}.translate`, `code table ${table} has one value per code: write translate: ${table}.`);
    if (t!.columns !== null && (column === undefined || !t!.columns.includes(column))) {
      fail(`${key}.translate`, `code table ${table} has columns ${t!.columns.join(', ')}: write translate: ${table}.<column>.`);
    }
    translate = { table: table!, column: column ?? null };
  }
  if ((translate || spec.dateFormat || scale !== null || spec.numeric) && spec.source === null && spec.expr === null) {
    fail(key, 'translate, date_format, scale and numeric apply to a source or expr value.');
  }
  if (spec.otherwise !== null && !translate) fail(`${key}.otherwise`, 'only applies with translate.');
  return { ...spec, scale, translate };
}

/**
 * A constant (or default) the mapping gives a coded contract column must be one of its codes:
 * otherwise every row would be rejected at load. `${var}` values are checked at load instead.
 * For a long code list (ISO 4217) the message names the list and, for a known alias, the code.
 *
 * @example
 * checkConstantCode(loans.currency, 'RMB', 'entities.loans.columns.currency.const', fail);
 * // MAPPING_INVALID: "RMB" is not an ISO 4217 currency code (transforms/ingest/contract/iso-4217.json) … Fix: write CNY.
 */
function checkConstantCode(col: ColumnContract, value: string | null, key: string, fail: (k: string, m: string) => never): void {
  if (value === null || !col.values || value.includes('${') || col.values.includes(value.trim())) return;
  const v = value.trim();
  const upper = v.toUpperCase();
  const alias = col.valuesList?.aliases?.[upper];
  const fix = col.values.includes(upper) ? `write it in upper case: ${upper}` : alias ? `write ${alias}` : col.valuesList ? `write ${col.valuesList.name}, e.g. CNY, EUR, USD` : `write one of: ${col.values.join(', ')}`;
  const what = col.valuesList ? `${col.valuesList.name} (${col.valuesList.file})` : `one of the codes of ${col.name} (${col.values.join(', ')})`;
  fail(key, `"${v}" is not ${what}: every row would be rejected at load. Nothing was loaded. Fix: ${fix}.`);
}

function unknownContractColumn(entity: EntityContract, col: string): string {
  return `"${col}" is not a column of ${entity.name}. Its columns: ${entity.columns.map((c) => c.name).join(', ')}.`;
}

function checkKeys(obj: Plain, allowed: string[], key: string, fail: (k: string, m: string) => never): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(key ? `${key}.${k}` : k, `unknown key "${k}". Allowed here: ${allowed.join(', ')}.`);
  }
}

function asObject(v: unknown, key: string, fail: (k: string, m: string) => never, what: string): Plain {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(key, `must be a map: ${what}.`);
  return v as Plain;
}

function asList(v: unknown, key: string, fail: (k: string, m: string) => never): unknown[] {
  if (!Array.isArray(v)) fail(key, 'must be a list.');
  return v as unknown[];
}

function asString(v: unknown, key: string, fail: (k: string, m: string) => never): string {
  if (typeof v !== 'string' || v.trim() === '') fail(key, `must be a non-empty text, got ${JSON.stringify(v) ?? 'nothing'}.`);
  return v as string;
}

/** A YAML scalar as text: numbers and booleans as written by JSON (quote codes like `01` in YAML). */
function scalarText(v: unknown, key: string, fail: (k: string, m: string) => never): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fail(key, `must be a text, number or boolean, got ${JSON.stringify(v) ?? 'nothing'}.`);
}

/** Records the line of every key (and list item) under its dotted path. */
function indexLines(node: Node | null, prefix: string, lines: Map<string, number>, lc: LineCounter): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = prefix ? `${prefix}.${k}` : k;
      const range = (pair.key as Node | null)?.range;
      if (range) lines.set(path, lc.linePos(range[0]).line);
      indexLines(pair.value as Node | null, path, lines, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const path = `${prefix}.${i}`;
      const range = (item as Node | null)?.range;
      if (range) lines.set(path, lc.linePos(range[0]).line);
      indexLines(item as Node | null, path, lines, lc);
    });
  }
}
