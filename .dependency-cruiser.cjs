/**
 * The shape of the code, checked in CI (`npm run lint:deps`, run by test/repo-shape.test.ts):
 * no import cycles, and every stage of transforms/ imports only from itself and from the stages
 * before it in the data flow:
 *
 *   lib → config → ingest → sample → policy → warehouse → kpi → publish → operations → cli
 *
 * `metrics/` (KPI definitions) may import only the KPI engine's `defineMetric`. Nothing imports
 * from `scripts/` (repository chores) or `test/`.
 */
const STAGES = ['lib', 'config', 'ingest', 'sample', 'policy', 'warehouse', 'kpi', 'publish', 'operations', 'cli'];

const stageRules = STAGES.map((stage, i) => {
  const later = STAGES.slice(i + 1);
  return later.length === 0
    ? null
    : {
        name: `${stage}-imports-only-earlier-stages`,
        comment: `transforms/${stage}/ may import only from ${STAGES.slice(0, i + 1).join(', ')} (the data flow runs ${STAGES.join(' → ')}).`,
        severity: 'error',
        from: { path: `^transforms/${stage}/` },
        to: { path: `^transforms/(${later.join('|')})/` },
      };
}).filter(Boolean);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle hides which module is upstream; split the shared part into the earlier module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...stageRules,
    {
      name: 'transforms-stay-in-transforms',
      comment: 'Product code is all under transforms/: it does not import KPI definitions, pages or components directly (the KPI engine discovers metrics/ at run time).',
      severity: 'error',
      from: { path: '^transforms/' },
      to: { path: '^(metrics|pages|components|sources)/' },
    },
    {
      name: 'metrics-import-only-the-kpi-engine',
      comment: 'A KPI definition (metrics/*.ts) imports only defineMetric and its types from transforms/kpi/.',
      severity: 'error',
      from: { path: '^metrics/' },
      to: { path: '^transforms/', pathNot: '^transforms/(kpi|lib)/' },
    },
    {
      name: 'nothing-imports-scripts',
      comment: 'scripts/ holds repository chores (bench, test runner, installers, postinstall patches); product code and tests do not import them.',
      severity: 'error',
      from: { pathNot: '^scripts/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'nothing-imports-tests',
      comment: 'Product code and scripts never import test code.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^\\.evidence/|^build/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
    combinedDependencies: false,
  },
};
