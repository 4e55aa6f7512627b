import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CqError } from '../lib/errors.js';
import { validateAvailability } from './availability.js';
import { DIMENSIONS } from '../warehouse/dimensions.js';
import { METRIC_PAGES, type MetricDefinition } from './metric.js';
import { REPO_ROOT } from '../lib/repo-root.js';

/** The repository's `metrics/` folder. */
export const METRICS_DIR = join(REPO_ROOT, 'metrics');

const UNITS = ['ratio', 'days', 'hours', 'score'];
const DIRECTIONS = ['lower_is_better', 'higher_is_better'];

/** File name of a metric id: `npl_ratio` → `npl-ratio.ts`. */
export function metricFileName(id: string): string {
  return `${id.replaceAll('_', '-')}.ts`;
}

/**
 * Discovers every KPI: each `metrics/*.ts` file (not sub-folders such as `transforms/policy/`)
 * default-exports one `defineMetric({...})` whose id matches the file name. Adding a KPI is
 * adding a file. Returns metrics sorted by `sortOrder`, then id.
 *
 * @example
 * const metrics = await discoverMetrics(); // [{ id: 'npl_ratio', … }, …]
 */
export async function discoverMetrics(dir: string = METRICS_DIR): Promise<MetricDefinition[]> {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts') && !f.name.endsWith('.d.ts') && !f.name.startsWith('_'))
    .map((f) => f.name)
    .sort();
  const metrics: MetricDefinition[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: MetricDefinition };
    const m = mod.default;
    if (!m || typeof m !== 'object' || !m.formula) {
      throw new CqError('METRIC_INVALID', `metrics/${file}: must default-export defineMetric({...}).`, { file: `metrics/${file}` });
    }
    validateMetric(m, `metrics/${file}`);
    if (metricFileName(m.id) !== file) {
      throw new CqError('METRIC_INVALID', `metrics/${file}: declares id "${m.id}"; the file must be named ${metricFileName(m.id)}.`, { file: `metrics/${file}` });
    }
    metrics.push(m);
  }
  const seen = new Set<string>();
  for (const m of metrics) {
    if (seen.has(m.id)) throw new CqError('METRIC_INVALID', `metric id "${m.id}" is declared twice.`);
    seen.add(m.id);
  }
  return metrics.sort((a, b) => a.sortOrder - b.sortOrder || a.id.localeCompare(b.id));
}

/**
 * Checks a metric definition (id, unit, direction, dimensions, target, tolerance, and what it
 * needs: inputs, needsPriorMonth, minObservations); throws
 * `METRIC_INVALID` naming the file and field.
 *
 * @example
 * validateMetric(metric, 'metrics/npl-ratio.ts');
 */
export function validateMetric(m: MetricDefinition, where: string): void {
  const bad = (field: string, why: string) => new CqError('METRIC_INVALID', `${where}: ${field} ${why}`, { file: where, key: field });
  if (!/^[a-z][a-z0-9_]*$/.test(m.id ?? '')) throw bad('id', `must be snake_case ([a-z][a-z0-9_]*), got ${JSON.stringify(m.id)}.`);
  for (const k of ['nameZh', 'nameEn', 'description', 'policySource'] as const) {
    if (typeof m[k] !== 'string' || m[k].trim() === '') throw bad(k, 'must be a non-empty string.');
  }
  if (!UNITS.includes(m.unit)) throw bad('unit', `must be one of ${UNITS.join(', ')}.`);
  if (!DIRECTIONS.includes(m.direction)) throw bad('direction', `must be one of ${DIRECTIONS.join(', ')}.`);
  if (m.grain !== 'month_end') throw bad('grain', "must be 'month_end'.");
  for (const d of m.dimensions) if (!(DIMENSIONS as readonly string[]).includes(d)) throw bad('dimensions', `has unknown dimension "${d}" (allowed: ${DIMENSIONS.join(', ')}).`);
  if (new Set(m.dimensions).size !== m.dimensions.length) throw bad('dimensions', 'repeats a dimension.');
  if (typeof m.tolerance !== 'number' || !(m.tolerance >= 0)) throw bad('tolerance', 'must be a number ≥ 0 (absolute, in the unit of the value).');
  if (!Number.isInteger(m.sortOrder)) throw bad('sortOrder', 'must be an integer.');
  if (m.target.kind === 'fixed' && typeof m.target.value !== 'function' && !Number.isFinite(m.target.value)) {
    throw bad('target.value', 'must be a finite number or a function of the KPI rules, e.g. (rules) => rules.warnings.coverageLeadDays.');
  }
  if (m.target.kind === 'prior_year' && !Number.isFinite(m.target.delta)) throw bad('target.delta', 'must be a finite number.');
  if (!['fixed', 'prior_year', 'none'].includes(m.target.kind)) throw bad('target.kind', "must be 'fixed', 'prior_year' or 'none'.");
  if (!['ratio', 'aggregate', 'custom'].includes(m.formula.kind)) throw bad('formula.kind', "must be 'ratio', 'aggregate' or 'custom'.");
  if (m.display !== undefined) {
    if (!['percent', 'number'].includes(m.display.format)) throw bad('display.format', "must be 'percent' or 'number'.");
    if (!Number.isInteger(m.display.decimals) || m.display.decimals < 0 || m.display.decimals > 6) throw bad('display.decimals', 'must be an integer from 0 to 6.');
  }
  if (m.page !== undefined && !METRIC_PAGES.includes(m.page)) {
    throw bad('page', `must be one of the site's topic pages: ${METRIC_PAGES.join(', ')} (pages/<page>.md).`);
  }
  for (const c of m.charts ?? []) if (!/^[a-z][a-z0-9_]*$/.test(c)) throw bad('charts', `has "${c}"; a chart name is snake_case ([a-z][a-z0-9_]*).`);
  validateAvailability(m, where);
}
