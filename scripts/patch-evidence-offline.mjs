// Postinstall: make Evidence work on an offline intranet.
//
// Evidence's universal-sql runs `SET ieee_floating_point_ops` and `SET old_implicit_casting`
// against duckdb-wasm. We pin duckdb-wasm to 1.28.0 (package.json "overrides") because newer
// builds download the parquet extension from the internet and hang forever offline; DuckDB 0.9.1
// inside 1.28.0 does not know those settings, so each SET is wrapped in try/catch here.
// Idempotent: running it twice changes nothing the second time.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const base = join('node_modules', '@evidence-dev', 'universal-sql', 'src', 'client-duckdb');
const settings = ['ieee_floating_point_ops = false', 'old_implicit_casting = true'];
let patched = 0;
for (const file of ['node.js', 'browser.js']) {
  const path = join(base, file);
  if (!existsSync(path)) {
    console.warn(`patch-evidence-offline: ${path} not found; skipped (is @evidence-dev/evidence installed?)`);
    continue;
  }
  let text = readFileSync(path, 'utf8');
  for (const s of settings) {
    const call = `await connection.query('SET ${s};');`;
    const wrapped = `try { ${call} } catch { /* older DuckDB: setting unknown */ }`;
    if (text.includes(wrapped)) continue;
    if (!text.includes(call)) {
      console.warn(`patch-evidence-offline: "${call}" not found in ${path}; Evidence version changed?`);
      continue;
    }
    text = text.replace(call, wrapped);
    patched += 1;
  }
  writeFileSync(path, text);
}
console.log(`patch-evidence-offline: ${patched} call(s) wrapped`);
