/**
 * A hand-built head-office site in the form Evidence 40.1.8 writes it (data/manifest.json with
 * md5-named Parquet folders, api/ page tree and formatting settings, prerendered pages whose markup
 * holds figures, the code bundle) plus the page SQL Evidence records while prerendering
 * (`<md5 route>/<md5 params>/_queries.json`): enough to derive audience sites without running an
 * Evidence build. Two branches, BJ01 and SH01; every figure below is distinct so a leak is visible.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { queryFolder } from '../../transforms/publish/site/audiences/derive-audience-site.js';
import { md5, type SiteEngine } from '../../transforms/publish/site/audiences/site-engine.js';

export { queryFolder };

type Row = Record<string, string | number | boolean | null>;

/** Source tables of the fixture, rows by column name. */
export const FIXTURE_TABLES: Record<string, Row[]> = {
  kpi_values: [
    { metric_id: 'npl_ratio', month: '2026-10', slice: 'all', slice_value: 'all', value: 0.0123456 },
    { metric_id: 'npl_ratio', month: '2026-10', slice: 'branch', slice_value: 'BJ01', value: 0.0101234 },
    { metric_id: 'npl_ratio', month: '2026-10', slice: 'branch', slice_value: 'SH01', value: 0.0234567 },
    { metric_id: 'npl_ratio', month: '2026-10', slice: 'product', slice_value: 'mortgage', value: 0.0045678 },
  ],
  commentary: [
    { month: '2026-10', slice: 'all', slice_value: 'all', text_zh: '全行不良率上升，主要来自上海分行' },
    { month: '2026-10', slice: 'branch', slice_value: 'BJ01', text_zh: '北京分行不良率为 1.01%' },
    { month: '2026-10', slice: 'branch', slice_value: 'SH01', text_zh: '上海分行不良率为 2.35%' },
  ],
  code_labels: [
    { kind: 'branch', code: 'BJ01', label_zh: '北京分行', label_en: 'Beijing Branch' },
    { kind: 'branch', code: 'SH01', label_zh: '上海分行', label_en: 'Shanghai Branch' },
    { kind: 'five_class', code: '正常', label_zh: '正常', label_en: 'Pass' },
  ],
  new_npl_list: [
    { branch_id: 'BJ01', loan_ref: 'L******0001', balance_wan: 12.5 },
    { branch_id: 'SH01', loan_ref: 'L******0077', balance_wan: 88.125 },
  ],
  dq_loads: [{ file_name: 'loans.csv', rows_read: 1000 }],
  audience: [{ audience_id: 'ho', kind: 'ho', branch_id: '', label_zh: '总行', label_en: 'Head office', book_totals: 'yes' }],
};

/** The SQL Evidence recorded for each prerendered page of the fixture (route id, params, name → SQL). */
export const FIXTURE_QUERIES: { route: string; params: Record<string, string>; queries: Record<string, string> }[] = [
  ...['BJ01', 'SH01'].map((b) => ({
    route: '/branches/[branch]',
    params: { branch: b },
    queries: {
      audience_data: `select * from warehouse.audience`,
      board_data: `select month, value from warehouse.kpi_values where slice = 'branch' and slice_value = '${b}'`,
      bank_data: `select month, value from warehouse.kpi_values where slice = 'all'`,
      commentary_data: `select text_zh from warehouse.commentary where slice = 'branch' and slice_value = '${b}'`,
      new_npls_data: `select loan_ref, balance_wan from warehouse.new_npl_list where branch_id = '${b}'`,
    },
  })),
  { route: '/glossary', params: {}, queries: { labels_data: `select kind, code, label_zh from warehouse.code_labels order by kind, code` } },
  { route: '/', params: {}, queries: { board_data: `select slice_value, value from warehouse.kpi_values order by slice_value` } },
];

/** A prerendered page as SvelteKit 2.8 writes it: `<head>`, content with figures, inlined fetches, start script. */
export function fixturePage(title: string, content: string, nodeIds: string): string {
  return `<!doctype html>
<html lang="en">
	<head>
		<meta charset="utf-8" />
		<title>${title}</title>
	</head>
	<body>
		<script>
		</script>
		<div>
			<!-- SvelteKit Hydrated Content -->
			<div class="antialiased"><h1>${title}</h1><p>${content}</p></div>
			<script type="application/json" data-sveltekit-fetched data-url="/api/pagesManifest.json">{"status":200,"body":"{\\"label\\":\\"Home\\"}"}</script>
			<script>
				{
					__sveltekit_abc = {
						base: ""
					};

					const element = document.currentScript.parentElement;

					const data = [null,null];

					Promise.all([
						import("/_app/immutable/entry/start.js"),
						import("/_app/immutable/entry/app.js")
					]).then(([kit, app]) => {
						kit.start(app, element, {
							node_ids: [${nodeIds}],
							data,
							form: null,
							error: null
						});
					});
				}
			</script>
		</div>
	</body>
</html>
`;
}

const sqlValue = (v: Row[string]) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v));

/**
 * Writes the fixture's head-office site to `site` and its recorded queries to `queries`.
 *
 * @example
 * writeFixtureSite(engine, '/tmp/x/site', '/tmp/x/queries');
 */
export function writeFixtureSite(engine: SiteEngine, site: string, queries: string): void {
  const put = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  const files: string[] = [];
  for (const [table, rows] of Object.entries(FIXTURE_TABLES)) {
    const cols = Object.keys(rows[0]!);
    const values = rows.map((r) => `(${cols.map((c) => sqlValue(r[c]!)).join(', ')})`).join(', ');
    const tmp = join(site, 'data', 'warehouse', table, `${table}.parquet`);
    mkdirSync(dirname(tmp), { recursive: true });
    engine.rows(`copy (select * from (values ${values}) t(${cols.join(', ')})) to '${tmp}' (format 'parquet', codec 'zstd')`);
    const hash = md5(readFileSync(tmp));
    mkdirSync(join(site, 'data', 'warehouse', table, hash), { recursive: true });
    renameSync(tmp, join(site, 'data', 'warehouse', table, hash, `${table}.parquet`));
    put(join(site, 'data', 'warehouse', table, `${table}.schema.json`), JSON.stringify(cols.map((name) => ({ name }))));
    files.push(`static/data/warehouse/${table}/${hash}/${table}.parquet`);
  }
  put(join(site, 'data', 'manifest.json'), JSON.stringify({ renderedFiles: { warehouse: files } }));
  const page = { isTemplated: false, isPage: true, children: {} };
  put(
    join(site, 'api', 'pagesManifest.json'),
    JSON.stringify({
      label: 'Home', href: '/', ...page, frontMatter: { title: '首页' },
      children: {
        branches: { label: 'branches', href: '/branches', isTemplated: false, isPage: true, frontMatter: { title: '分行 Branches' }, children: { '[branch]': { isTemplated: true, isPage: true, frontMatter: { title: '分行 Branch' }, children: {} } } },
        glossary: { label: 'glossary', href: '/glossary', ...page, frontMatter: { title: '指标说明 Glossary' } },
        'data-quality': { label: 'data quality', href: '/data-quality', ...page, frontMatter: { title: '数据质量 Data quality' } },
      },
    }),
  );
  put(join(site, 'api', 'customFormattingSettings.json', 'GET.json'), '{"customFormattingSettings":{}}');
  put(join(site, 'api', 'branches', '[branch]', 'evidencemeta.json'), '{"queries":[]}');
  put(join(site, 'api', 'glossary', 'evidencemeta.json'), '{"queries":[]}');
  // The head office's prerendered result of SH01's board (a real Arrow IPC file).
  const sh = engine.ipc(`select 'SH01' as slice_value, 0.0234567 as value`);
  mkdirSync(join(site, 'api', 'prerendered_queries'), { recursive: true });
  writeFileSync(join(site, 'api', 'prerendered_queries', `${sh.hash}.arrow`), sh.bytes);
  put(join(site, '_app', 'immutable', 'entry', 'start.js'), 'export function start() {}\n');
  put(join(site, 'favicon.ico'), 'icon');
  put(join(site, 'index.html'), fixturePage('首页', '全行不良率 1.23%，上海分行 SH01 2.35%，北京分行 BJ01 1.01%', '0, 2'));
  put(join(site, 'branches', 'index.html'), fixturePage('分行 Branches', '北京分行 BJ01 · 上海分行 SH01', '0, 3'));
  put(join(site, 'branches', 'BJ01', 'index.html'), fixturePage('分行 Branch', '北京分行 BJ01 0.0101234', '0, 4'));
  put(join(site, 'branches', 'SH01', 'index.html'), fixturePage('分行 Branch', '上海分行 SH01 0.0234567', '0, 4'));
  put(join(site, 'glossary', 'index.html'), fixturePage('指标说明 Glossary', '不良贷款率', '0, 5'));
  put(join(site, 'data-quality', 'index.html'), fixturePage('数据质量', 'loans.csv 1000', '0, 6'));
  for (const q of FIXTURE_QUERIES) {
    put(join(queries, queryFolder(q.route, q.params), '_queries.json'), JSON.stringify(Object.fromEntries(Object.entries(q.queries).map(([name, sql]) => [name, { sql_string: sql, query_hash: 'x' }]))));
  }
}
