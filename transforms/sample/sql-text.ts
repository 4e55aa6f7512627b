/**
 * Small builders of SQL text used by the generator: lists and weighted picks. String literals are
 * quoted with `quoteLiteral` (lib/duckdb.ts). Everything the generator sends to DuckDB is
 * assembled from constants, so no user input reaches SQL except numbers validated by the options
 * parser and paths quoted with `quoteLiteral`.
 */
import { quoteLiteral } from '../lib/duckdb.js';

/** A DuckDB list literal of strings. @example sqlStringList(['a', "Xi'an"]) // "['a', 'Xi''an']" */
export function sqlStringList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

/** A DuckDB list literal of numbers. @example sqlNumberList([1, 2]) // '[1, 2]' */
export function sqlNumberList(values: readonly number[]): string {
  return `[${values.map((v) => String(v)).join(', ')}]`;
}

/**
 * Picks an element of a list by a uniform [0,1) variate (1-based list indexing).
 *
 * @example
 * pickFromList("['a','b']", 'u') // "(['a','b'])[1 + floor(u * 2)::INTEGER]"
 */
export function pickFromList(listSql: string, length: number, u: string): string {
  return `(${listSql})[1 + floor((${u}) * ${length})::INTEGER]`;
}

/**
 * A CASE expression choosing between weighted options by a uniform [0,1) variate `u`
 * (which should be a column, since it is repeated). Values are SQL expressions.
 *
 * @example
 * weightedPick('u', [["'a'", 3], ["'b'", 1]]) // "CASE WHEN u < 0.75 THEN 'a' ELSE 'b' END"
 */
export function weightedPick(u: string, options: readonly (readonly [valueSql: string, weight: number])[]): string {
  const total = options.reduce((s, [, w]) => s + w, 0);
  if (options.length === 0 || total <= 0) throw new Error('weightedPick needs options with positive weights');
  if (options.length === 1) return options[0]![0];
  let cumulative = 0;
  const whens = options.slice(0, -1).map(([value, weight]) => {
    cumulative += weight;
    return `WHEN ${u} < ${(cumulative / total).toFixed(12)} THEN ${value}`;
  });
  return `CASE ${whens.join(' ')} ELSE ${options[options.length - 1]![0]} END`;
}
