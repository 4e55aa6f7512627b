/**
 * Repository chore: a fingerprint of a built warehouse's KPI and mart tables, to prove a
 * restructuring changed nothing the product computes.
 *
 *   npx tsx scripts/kpi-hash.ts data/warehouse.duckdb
 *
 * Prints one line per table (`schema.table rows sha256`) and a total over the `metrics.kpi_*`
 * tables. Each table is read with every column cast to text, rows sorted by all columns, so the
 * hash depends only on the values (not on the physical row order or the column types' display).
 */
import { createHash } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2] ?? 'data/warehouse.duckdb';
const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
const con = await db.connect();
const tables = (await con.runAndReadAll(
  `select table_schema, table_name from information_schema.tables where table_schema in ('core','metrics','marts') order by 1, 2`,
)).getRows() as [string, string][];
const total = createHash('sha256');
for (const [schema, table] of tables) {
  const cols = (await con.runAndReadAll(
    `select column_name from information_schema.columns where table_schema = '${schema}' and table_name = '${table}' order by ordinal_position`,
  )).getRows().map((r) => String(r[0]));
  const list = cols.map((c) => `coalesce(cast("${c}" as varchar), '∅')`).join(` || '\u001f' || `);
  const rows = (await con.runAndReadAll(`select ${list} as line from "${schema}"."${table}" order by 1`)).getRows();
  const h = createHash('sha256');
  h.update(cols.join(',') + '\n');
  for (const r of rows) h.update(String(r[0]) + '\n');
  const digest = h.digest('hex');
  if (schema === 'metrics' && table.startsWith('kpi_')) total.update(`${table} ${digest}\n`);
  console.log(`${schema}.${table} ${rows.length} ${digest}`);
}
console.log(`TOTAL metrics.kpi_* ${total.digest('hex')}`);
