/**
 * The scan of Evidence's console output: Evidence exits 0 on many problems (a failed page query,
 * an empty dataset, a component error), so the build reads its output for them.
 */

/**
 * Output lines that mean the site is not right even when Evidence exits 0. Matched against the
 * ANSI-stripped combined stdout+stderr of `evidence sources` and `evidence build:strict`.
 */
export const OUTPUT_FAILURE_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/Error in Query!/, 'a page query failed (Evidence logs "<id> | Error in Query!")'],
  [/Error in [A-Z][A-Za-z ]*:/, 'a component reported an error ("Error in <Component>: ...")'],
  [/Dataset is empty/, 'a component got an empty dataset'],
  [/No results returned/, 'a source query returned no rows'],
  [/\bwrote 0 rows\b/, 'a source query returned no rows (allow with --allow-empty NAME)'],
  [/No sources found/, 'no source data was found for the pages'],
  [/is not a valid source/, 'a sources/ directory has no usable connection.yaml'],
  [/Error connecting to datasource/, 'the warehouse could not be opened'],
  [/(Catalog|Binder|Parser|Conversion|IO|Invalid Input) Error/, 'a DuckDB error'],
  [/Missed substitution|Missed substition/, 'an ${var} in a source query has no EVIDENCE_VAR__ value'],
  [/missing data/i, 'Evidence reported missing data'],
  [/Build failed/, 'the SvelteKit build failed'],
  [/Unable to load source manifest/, 'the source manifest is missing'],
  [/\[!\]/, 'Evidence printed a [!] warning'],
  [/contains only null values/, 'a source column is entirely NULL (Evidence guessed its type); coalesce it in the source query'],
];

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Returns the failure reasons found in Evidence's output (empty = clean): one per matching
 * {@link OUTPUT_FAILURE_PATTERNS} entry, with the first line that matched. A source query named in
 * `allowEmpty` may write 0 rows.
 *
 * @example
 * scanOutput('  kpi_values ✔ Finished, wrote 0 rows.'); // ['a source query returned no rows (allow with --allow-empty NAME): kpi_values ✔ Finished, wrote 0 rows.']
 * scanOutput('  kpi_values ✔ Finished, wrote 0 rows.', ['kpi_values']); // []
 */
export function scanOutput(output: string, allowEmpty: readonly string[] = []): string[] {
  const lines = output
    .replace(ANSI, '')
    .split(/\r?\n/)
    // "  <query> ✔ Finished, wrote 0 rows." is fine for the source queries listed in allowEmpty.
    .filter((l) => !allowEmpty.some((name) => new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s.*wrote 0 rows`).test(l)));
  const found: string[] = [];
  for (const [re, why] of OUTPUT_FAILURE_PATTERNS) {
    const line = lines.find((l) => re.test(l));
    if (line !== undefined) found.push(`${why}: ${line.trim().slice(0, 300)}`);
  }
  return found;
}
