/**
 * Generates the KPI documentation from the code, so it cannot drift:
 * - `docs/kpis.md` entirely, from `metrics/*.ts` (every KPI) and the marts registry;
 * - the rule tables between `<!-- generated:start -->` and `<!-- generated:end -->` in
 *   `docs/grading.md` and `docs/classification.md`, from the shipped policy files
 *   (`policy/customer-grading.yaml`, `policy/classification-floor.yaml`).
 *
 * @example
 * // npm run docs          (write the docs)
 * // npm run docs --check  (exit 1 when a doc is out of date; used by test/publish/docs/kpi-docs.test.ts)
 */
import { WARNING_SIGNALS } from '../../policy/warning-signals.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultRules, FIVE_CLASS_EN, FIVE_CLASSES, GRADE_LABELS, type BusinessRules, type KpiRules } from '../../policy/business-rules.js';
import { catalogEntry } from '../../kpi/catalog.js';
import { discoverMetrics, metricFileName } from '../../kpi/discover-metrics.js';
import { displayOf, formatKpiValue, minObservationsOf, type MetricDefinition, type SqlSource } from '../../kpi/metric.js';
import { discoverModels } from '../../warehouse/registry.js';
import { REPO_ROOT } from '../../lib/repo-root.js';

const ROOT = REPO_ROOT;
const START = '<!-- generated:start -->';
const END = '<!-- generated:end -->';

const UNIT_TEXT: Record<string, string> = { ratio: 'ratio (0.02 = 2%)', days: 'days', hours: 'hours', score: 'score points (0–100)' };
const DIM_TEXT: Record<string, string> = {
  branch_id: 'branch',
  product_id: 'product',
  customer_type: 'customer type',
  grade: 'grade',
};

function esc(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function sourceName(s: SqlSource): string {
  if (typeof s === 'function') return 'Kysely query (see the metric file)';
  const t = s.trim();
  const m = /(core|marts)\.\w+/.exec(t);
  return m ? (m[0] === t ? `\`${t}\`` : `\`${m[0]}\` (filtered)`) : 'SQL (see the metric file)';
}

function sources(m: MetricDefinition): string {
  const f = m.formula;
  const list = f.kind === 'ratio' ? [f.numerator.from, f.denominator.from] : [f.from];
  return [...new Set(list.map(sourceName))].join(', ');
}

/** What a KPI needs (its inputs, prior month, minimum observations) and what it is otherwise, for the KPI table. */
function needsText(m: MetricDefinition): string {
  const e = catalogEntry(m);
  const inputs = m.inputs.map((i) => `\`${i}\``).join(', ');
  const k = e.needs_prior_months;
  const parts = [`inputs ${inputs} (else \`input_not_delivered\`)`];
  if (k > 0) parts.push(`${k === 1 ? 'the previous month' : `the month ${k} months earlier`} loaded (else \`no_prior_month\`)`);
  if (m.needsPriorYearEnd) parts.push('the previous year end (December) loaded (else `no_prior_month`)');
  parts.push('a non-zero denominator (else `denominator_zero`)');
  for (const o of minObservationsOf(m)) parts.push(`at least ${o.count} ${o.textEn} — \`${o.measure}\` (else status \`too_few\`)`);
  return parts.join('; ');
}

/** Where and how the KPI is shown: its display format, topic page and named charts. */
function shownText(m: MetricDefinition): string {
  const e = catalogEntry(m);
  const d = displayOf(m);
  const example = formatKpiValue(m.unit === 'ratio' && d.format === 'percent' ? 0.0231 : m.unit === 'ratio' ? 0.8571 : 12.5, d);
  const parts = [
    `${d.format}, ${d.decimals} decimal${d.decimals === 1 ? '' : 's'} (\`${example}${e.display_suffix && e.display_suffix !== '%' ? ` ${e.display_suffix}` : ''}\`) on the site and in the exports`,
    e.page ? `topic page \`${e.page}\`` : 'no topic page',
  ];
  if (m.charts?.length) parts.push(`charts ${m.charts.map((c) => `\`${c}\``).join(', ')}`);
  if (e.display_cap !== null) parts.push(`values above the display cap shown \`${e.display_cap_text}\``);
  if (e.change_cap !== null) parts.push(`changes beyond ±${d.format === 'percent' ? `${+(e.change_cap * 100).toFixed(4)} pp` : e.change_cap} shown capped`);
  return parts.join('; ');
}

/** The KPI rules a function of the rules reads (`warnings.coverageLeadDays`), found by reading the defaults through a recording proxy. */
function rulesRead(fn: (rules: KpiRules) => number): string[] {
  const read = new Set<string>();
  const wrap = (obj: object, path: string): object =>
    new Proxy(obj, {
      get(target, key) {
        const v = Reflect.get(target, key) as unknown;
        const p = path ? `${path}.${String(key)}` : String(key);
        if (v !== null && typeof v === 'object') return wrap(v, p);
        read.add(p);
        return v;
      },
    });
  fn(wrap(defaultRules().kpi, '') as KpiRules);
  return [...read];
}

/** The target's source when it is a function of the KPI rules. */
function targetRule(m: MetricDefinition): string {
  if (m.target.kind !== 'fixed' || typeof m.target.value !== 'function') return '';
  return ` — from the KPI rules: ${rulesRead(m.target.value).map((r) => `\`${r}\``).join(', ')} (policy/kpi-rules.yaml)`;
}

function kpiSection(m: MetricDefinition): string {
  const e = catalogEntry(m);
  const f = m.formula;
  const lines = [
    `<a id="${m.id.replaceAll('_', '-')}"></a>`,
    '',
    `### ${m.nameZh} — ${m.nameEn} (\`${m.id}\`)`,
    '',
    m.description,
    '',
    `| | |`,
    `|---|---|`,
    `| Formula | ${esc(f.text)} |`,
    f.kind === 'ratio'
      ? `| Numerator | ${esc(f.numerator.text)} — \`${esc(f.numerator.measure)}\` |`
      : f.kind === 'aggregate'
        ? `| Value | ${esc(f.valueText)} — \`${esc(f.value)}\` (numerator column is NULL) |`
        : `| Numerator | ${esc(f.numeratorText)} |`,
    f.kind === 'ratio'
      ? `| Denominator | ${esc(f.denominator.text)} — \`${esc(f.denominator.measure)}\` |`
      : f.kind === 'aggregate'
        ? `| Denominator | ${esc(f.nText)} — \`${esc(f.n)}\` (sample size) |`
        : `| Denominator | ${esc(f.denominatorText)} |`,
    `| Kind | ${f.kind === 'ratio' ? 'ratio — re-sliceable: sum numerators and denominators' : f.kind === 'aggregate' ? 'aggregate — not additive: each slice is computed from its own rows' : 'custom SQL — not additive: each slice is ranked on its own'} |`,
    `| Reads | ${sources(m)} |`,
    `| Grain | ${m.grain === 'month_end' ? 'month end (`as_of_month`)' : m.grain} |`,
    `| Dimensions | ${m.dimensions.length ? m.dimensions.map((d) => `\`${d}\``).join(', ') : 'whole book only'} |`,
    `| Unit / direction | ${UNIT_TEXT[m.unit]} / ${m.direction.replaceAll('_', ' ')} |`,
    `| Target | ${esc(e.target_text)}${targetRule(m)}${m.target.kind === 'prior_year' ? ` — varies per month and slice: the KPI's own value for the same month and slice a year earlier ${m.target.deltaMode === 'points' ? `${m.target.delta >= 0 ? '+' : '−'} ${Math.abs(m.target.delta)} (absolute, in the unit of the value)` : `× (1 ${m.target.delta >= 0 ? '+' : '−'} ${Math.abs(m.target.delta)})`}, stored per row in \`kpi_${m.id}.target\` (NULL, RAG none, without a prior-year value)` : ''} |`,
    `| RAG | ${esc(e.tolerance_text)} |`,
    `| Shown | ${esc(shownText(m))} |`,
    `| Needs | ${esc(needsText(m))} |`,
    `| Policy source | ${esc(m.policySource)} |`,
    `| Defined in | \`metrics/${metricFileName(m.id)}\` → \`metrics.kpi_${m.id}\` |`,
    '',
  ];
  return lines.join('\n');
}

/** The full text of docs/kpis.md. */
export async function kpisMarkdown(rules: BusinessRules = defaultRules()): Promise<string> {
  const metrics = await discoverMetrics();
  const marts = await discoverModels(['marts']);
  const k = rules.kpi;
  const summary = metrics.map((m) => {
    const e = catalogEntry(m);
    return `| ${m.sortOrder} | [\`${m.id}\`](#${m.id.replaceAll('_', '-')}) | ${m.nameZh} | ${m.unit} | ${esc(e.target_text)} | ${m.target.kind === 'none' ? '—' : m.tolerance} | ${m.dimensions.map((d) => DIM_TEXT[d]).join(', ') || '—'} |`;
  });
  return `# KPIs (指标口径)

> Generated from \`metrics/*.ts\` by \`npm run docs\` — do not edit by hand;
> edit the metric file and regenerate (\`test/publish/docs/kpi-docs.test.ts\` fails when this file is stale).

Each KPI is defined once, in one file \`metrics/<id-with-dashes>.ts\` (\`defineMetric\`), and
everything else — the KPI table, the catalog, the report site, this page — is derived from it.

## How every KPI is computed

- **Grain: month end.** \`as_of_month\` is a month-end DATE. The reporting months
  (\`core.dim_months\`) are the calendar months that hold at least one loaded business date and
  end no later than the latest one (a month is reported once complete).
- **As of the month end, reproducibly.** A month uses only rows delivered with
  \`business_date <= as_of_month\`. Versioned entities (customers, loans, warnings, verification
  checks, repayment schedules) carry every version per business date; the state at a month end
  is the latest version with \`business_date <= month end\`. Loading later business dates never
  changes a past month (\`test/kpi/kpi-reproducibility.test.ts\` exports the KPI tables of a past month
  before and after and compares SHA-256). Sums are taken in exact types (DECIMAL money, integer
  counts) and cast to DOUBLE at the end, so reruns are byte-identical.
- **Tables.** \`metrics.kpi_<id>\`(as_of_month DATE, branch_id, product_id, customer_type, grade
  VARCHAR — NULL meaning "all" —, numerator, denominator, value, target DOUBLE, rag, status,
  reason_code, reason_zh, reason_en VARCHAR — see [Availability](#availability-measured-or-no-data)):
  per month one whole-book row (all four NULL, present for every reporting month) and one row per
  value of each allowed dimension (GROUPING SETS of () and each single dimension; the dimensions a
  KPI does not allow are always NULL). \`metrics.kpi_values\` is the long union the report site
  reads (slice 'all' | 'branch' | 'product' | 'customer_type' | 'grade', slice_value 'ALL' for
  the whole book, plus a display \`slice_label\`); \`metrics.metric_catalog\` holds one row per KPI
  (names, formula text, unit, direction, target, target_text, tolerance, policy source, grain,
  dimensions, sort_order, and what it needs: inputs, needs_prior_months, min_observations,
  availability_zh / availability_en; and how and where it is shown: display_format,
  display_decimals, display_suffix, page, charts — see [Shown](#shown-format-page-charts)).
- **Slices add up.** Ratio KPIs store numerator and denominator; a slice's value is Σ numerator ÷
  Σ denominator over its rows, never an average of rates, and the sum over the values of any
  dimension equals the whole book. Aggregate KPIs (medians) have NULL numerator and the sample
  size as denominator; custom KPIs (AUC, KS) rank each slice on its own. Neither re-aggregates.
- **Dimensions.** \`branch_id\`: the loan's booking branch for loan KPIs, the customer's servicing
  branch (as of the month end) for customer, warning, verification, survey and model KPIs;
  \`product_id\`: the loan product; \`customer_type\`: individual / small_business;
  \`grade\`: the customer's recorded grade at the month end (A / B / C, or 'ungraded').
  'unknown' marks a customer with no open relationship at that month end.
- **Targets.** The default is set in the metric file; a lender overrides it in
  \`policy/kpi-targets.yaml\` ([Configuration](#configuration-kpi-targets-policykpi-targetsyaml)). \`fixed\`: a constant (in the catalog's \`target\`), or a function of the KPI rules
  (\`value: (rules) => rules.warnings.coverageLeadDays\`), so an overridden rule moves the target. \`prior_year\`: the KPI's own value
  for the same month and slice one year earlier plus a delta (churn: −3 percentage points;
  satisfaction: +5 points); the catalog's \`target\` is NULL and each row of \`kpi_<id>\` stores its
  own \`target\`. \`none\`: companion KPIs without a target (RAG 'none').
- **RAG** (stored with the KPI in \`rag\`): green when the value meets the target (\`≤\`, \`<\`, \`≥\`
  or \`>\` as declared); amber when it misses by at most the tolerance (absolute, in the unit of
  the value: lower-is-better up to target + tolerance, higher-is-better down to target −
  tolerance); red beyond; 'none' without a target, and for every \`no_data\` row.
- **Target text** (\`target_text\`) is derived from the target's values, never written by hand:
  the operator and the value in the KPI's display format (\`≤ 2.00%\`, \`≥ 0.750\`, \`≥ 30.0 天 days\`),
  \`上年同月 − 3 个百分点\` for a prior-year target; a rule overridden for a build shows its real value.

### Shown: format, page, charts

How and where a KPI is shown is part of its metric file and reaches the site and the exports
through \`metrics.metric_catalog\`, so no page, component or export lists metric ids or formats by id:

- \`display\` (\`{ format: 'percent' | 'number', decimals }\`): default from the unit — a ratio as a
  percentage with 2 decimals (\`2.31%\`), days / hours / scores as a number with 1 decimal and the
  unit (\`12.5 天 days\`); AUC and KS declare \`number, 3\` (\`0.857\`). Catalog \`display_format\`,
  \`display_decimals\`, \`display_suffix\`; the site's tiles and matrices and the exports' \`kpi\`
  columns (XLSX number format, PDF text) read them, so a value reads the same in both.
- \`page\` (\`npl\`, \`early-warning\`, \`customers\`, \`model\`): the topic page \`pages/<page>.md\` whose
  board and slice matrix show the KPI (page SQL \`where c.page = '/npl/'\`); the home page's tiles
  link there.
- \`charts\`: named charts that also draw it (\`branch_overview\` on the home page, \`npl_trend\`, …;
  site source \`metric_charts\`, one row per KPI and chart).

\`test/kpi/kpi-shown.test.ts\` fails when a KPI is shown nowhere: not on a topic page by its catalog
page and not in any export template (\`policy/reports/*.yaml\`).

### Availability: measured or no data

A KPI whose inputs are missing says so instead of showing a number. Every row of
\`metrics.kpi_<id>\` and \`metrics.kpi_values\` has \`status\` **\`measured\`**, **\`too_few\`** or **\`no_data\`**. A
\`too_few\` row (reason \`too_few_observations\`) keeps its computed value in the warehouse but is never coloured
(\`rag\` 'none') nor shown: the site and the exports print "样本不足 Too few" with the sample size \`n\`. A
\`no_data\` row has \`value\` NULL (never 0), \`rag\` 'none', and a \`reason_code\` with the reason in
Chinese and English (\`reason_zh\`, \`reason_en\`: which input, which month, how many observations).
Each KPI declares what it needs in its metric file — \`inputs\` (extract entities or
\`entity.column\`), \`needsPriorMonth\` (months back it compares with), \`minObservations\` — and the
engine (\`transforms/kpi/availability.ts\`) derives the status; no page, export or test
decides it. The reasons are checked in this order; the first that applies is the row's reason:

| reason_code | when | numerator / denominator |
|---|---|---|
| \`input_not_delivered\` | an input of \`inputs\` was never delivered up to the month end | NULL (they would sum placeholders) |
| \`no_prior_month\` | \`needsPriorMonth: k\` and the month k months earlier is not a reporting month (the first month loaded, or a gap); or \`needsPriorYearEnd\` and Dec 31 of the previous year is not one | NULL (unknowable) |
| \`denominator_zero\` | the denominator is 0 (no new NPLs, no warnings raised, no NPL balance in a slice, …) | kept (0) |
| \`too_few_observations\` (status \`too_few\`) | fewer observations than one of the \`minObservations\` rules (each \`measure\` over the formula's source, per slice-month; the first is the sample size \`n\`), or a value the observations leave undefined (a KS without defaulters) | kept (value kept too, never shown) |

**Statuses agree with the shown numbers** (\`transforms/kpi/rag.ts\`, tested case by case in
\`test/kpi/status-cases.test.ts\`): value and target are rounded to the display precision before the
RAG is judged (2.004 % against ≤ 2 % is shown 2.00 %: green); a target derived from a baseline
(\`prior_year\`) is clamped into the KPI's value range (a rate never targets below 0 %) and states its
baseline (\`kpi_values.baseline\`, \`target_text\`: "≤ 0.00%（上年同月 2.30% − 3 个百分点，下限 0.00%…）");
"turned green / red" (\`kpi_values.status_change\` better / worse) needs two coloured months and a rank
change green > amber > red; when the shown value moved the other way and only the target moved it is
\`target_moved\`. Status words come from \`STATUS_LABELS\` (table \`metrics.status_labels\`).

**Delivered** comes from the load records, written to \`metrics.input_deliveries\` (first business date
each declared input was delivered) before the KPI tables:

- an **entity** is delivered on a business date with an \`ops.load_audit\` row for it, unless a mapping
  recorded it \`entity_absent\` that date (\`ops.mapping_defaults\`). **A file delivered with 0 rows is
  delivered**: a lender whose warnings file is empty had no warnings, so warning coverage is a
  measured 0 % (red) when loans became NPL, and warning timeliness is \`denominator_zero\` (no
  warning raised) — not "never delivered". What a risk manager expects: an empty delivery is a fact
  about the book, a missing one is not.
- a **column** (\`loan_balances.provision_amount\`, \`customers.grade\`) must in addition not be a mapping
  default for the whole column that date (\`missing_in_source\`, or \`empty_in_source\` on every
  loaded row: a mapping's placeholder 0.00 is not a provision), and an optional column must hold
  at least one non-empty value in \`raw.<entity>\` that date (a grade column left empty on every row
  means no grades were delivered).
- "Up to the month": a month is \`input_not_delivered\` while \`first_delivered\` is NULL or after its
  month end, so loading later dates never changes a past month.

**The first month loaded** does not report movements it cannot know: \`core.fct_loan_month_ends.is_new_npl\`
is NULL (unknown) when the previous month is not a reporting month, so \`marts.mart_risk__new_npls\`
has no rows there (before, every NPL of the first month counted as new and warning coverage showed
0/N); NPL movements and roll rates exist only for months whose previous month is reported. The KPIs
built on movements declare \`needsPriorMonth: 1\` (warning coverage, warning lead time, churn: the
customers active at the start of the month are the book at the previous month end); the model KPIs
need the score month \`modelValidation.horizonMonths\` back.

**Prior-year targets** are taken only from measured rows: when the same month a year earlier is
\`no_data\`, the row has no target (RAG none) — a target is never derived from a placeholder.

**Minimum observations** of the shipped KPIs are floors below which the figure means nothing
(\`model_accuracy\`: 3 evaluable scores; \`model_auc\`, \`model_ks\`: 2 scores of the rarer outcome, since one
defaulter's rank is not a curve). Raise them in the metric file for a real book (e.g. 30 scores, 5
defaulters); the hand-worked fixture's slices have 4–7 scores.

**Where it shows.** Data tests on every KPI table (\`no_data\` ⇒ value NULL, RAG none, a reason;
\`measured\` ⇒ a value). The report site shows a grey "无数据 No data" tile with the reason and grey
"—" matrix cells (reason in the tooltip), never red/amber/green and never a 0
([report-site.md](report-site.md)); the regulator package writes "— [n]" with footnote n giving the
reason, RAG \`no_data\` ([exports.md](exports.md)). \`test/kpi/kpi-availability.test.ts\` covers a book
without warnings / provisions / grades, zero denominators, the first month, too few observations
and a delivered-but-empty warnings file.

### Definitions shared by the KPIs

- **Balance** (各项贷款余额): outstanding principal of on-book loans (balance snapshot status
  \`active\`) at the month end; the latest snapshot dated in the month (\`as_of_date\`) is used.
  Settled and written-off loans are off book from the month of the event.
- **NPL** (不良贷款): on book and recorded 次级, 可疑 or 损失 by the lender.
- **Overdue balance** (逾期贷款余额): the whole outstanding principal of on-book loans with
  days_past_due > 0 (not only the instalments past due). **90+**: days_past_due > 90.
- **New NPL** (新增不良): NPL at this month end and not NPL (or not on book) at the previous one.
  The NPL date is the month end. Unknown (no loan is new) in a month whose previous month is not
  reported: the first month loaded, or after a gap.
- **Denominator zero, first month, missing inputs**: see [Availability](#availability-measured-or-no-data).
- **Default** (model validation, ${k.modelValidation.horizonMonths}-month outcome): some loan of the customer recorded
  ${k.modelValidation.defaultClassAtLeast} or worse, more than ${k.modelValidation.defaultDpdOver} days past due${k.modelValidation.writtenOffIsDefault ? ', or written off' : ''} at a month end.
- **Floor class** and **rule grade**: see [classification.md](classification.md) and [grading.md](grading.md).
- **Migration rates** (贷款迁徙率, year to date and month on month): the cohort of loans on book at the
  period start, the decrease during the period and how each of its parts comes from the extracts, with
  a worked example: see [migration.md](migration.md).
- **Currency.** Every amount is in CNY. A loan in another currency is converted once, in
  \`core.fct_loan_month_ends\`, at the \`fx_rates\` rate dated its balance snapshot (each amount rounded to
  the fen; rate and rate date on the row), so every numerator and denominator sums CNY amounts. A loan
  whose rate was not delivered has no CNY amount and adds nothing (warning data test \`amounts_converted\`;
  \`marts.mart_credit__currency_monthly\` lists them; the regulator export refuses the month). See
  [extracts.md](extracts.md#currencies-and-units).

### Configuration (\`policy/kpi-rules.yaml\`)

The lender's KPI rules are data: \`policy/kpi-rules.yaml\` (or the copy in the operator's \`policyDir\`),
checked on every build ([policy/README.md](../policy/README.md)). Keys in the file are snake_case;
the code reads them as the camelCase names in brackets.

| Parameter | Default | Used by |
|---|---|---|
| \`warnings.timely_within_days\` (\`timelyWithinDays\`) | ${k.warnings.timelyWithinDays} | warning_timeliness: raised date − signal date ≤ this |
| \`warnings.coverage_lead_days\` (\`coverageLeadDays\`) | ${k.warnings.coverageLeadDays} | warning_coverage: a warning at least this many days before the NPL date; the target of warning_lead_time_median |
| \`warnings.lookback_days\` (\`lookbackDays\`) | ${k.warnings.lookbackDays} | warning_coverage, warning_lead_time_median: older warnings are ignored |
| \`verification.sla_hours\` (\`slaHours\`) | ${k.verification.slaHours} | verification_within_24h |
| \`model_validation.horizon_months\` (\`horizonMonths\`) | ${k.modelValidation.horizonMonths} | model_accuracy, model_auc, model_ks |
| \`model_validation.default_class_at_least\` (\`defaultClassAtLeast\`) | ${k.modelValidation.defaultClassAtLeast} | model_accuracy, model_auc, model_ks: the default event (this class or worse) |
| \`model_validation.default_dpd_over\` (\`defaultDpdOver\`) | ${k.modelValidation.defaultDpdOver} | model_accuracy, model_auc, model_ks: the default event (more than this many days past due) |
| \`model_validation.written_off_is_default\` (\`writtenOffIsDefault\`) | ${k.modelValidation.writtenOffIsDefault} | model_accuracy, model_auc, model_ks: a write-off is a default |
| \`model_validation.pd_bin_decimals\` (\`pdBinDecimals\`) | ${k.modelValidation.pdBinDecimals} | model_auc, model_ks (PD bins; exact when PDs have no more decimals) |
| \`model_validation.psi_reference\` (\`psiReference\`) | ${k.modelValidation.psiReference} | model_psi: the reference month of each model version (first_month or YYYY-MM) |
| \`model_validation.psi_bins\` (\`psiBins\`) | ${k.modelValidation.psiBins} | model_psi: bins = quantiles of the reference month's PD |

Every rule can also be overridden for one build: \`buildWarehouse(wh, { rules: { kpi: { warnings: { timelyWithinDays: 2 } } } })\`.

### Configuration: KPI targets (\`policy/kpi-targets.yaml\`)

A KPI's target is lender policy, so a lender changes it as data, without editing code. Each KPI keeps
its **default** target in its own file \`metrics/<id>.ts\` (\`target\`, \`tolerance\`, \`policySource\`;
the targets on this page), so a new KPI is still one file. \`policy/kpi-targets.yaml\` (or the copy in
the operator's \`policyDir\`) holds only the lender's **overrides**, per metric id; every key is
optional and a key not given keeps the default. The shipped file sets none (its examples are
comments), and an operator's folder without the file has none.

\`\`\`yaml
npl_ratio:
  value: 0.015          # fixed target: ≤ 1.50% (ratios are fractions)
  op: "<="              # "<=" or "<" when lower is better, ">=" or ">" when higher is better (quoted)
  tolerance: 0.003      # amber band beyond the target, in the unit of the value (0 or more)
  policy_source: "2025 年风险偏好陈述：不良贷款率 ≤ 1.5%"
churn_rate:
  delta: -0.02          # the same month a year earlier − 2 percentage points
  delta_mode: points    # points (added in the unit of the value) or relative (× (1 + delta))
\`\`\`

The build applies the overrides to the metric definitions before it computes the KPI tables: the
\`target\`, the \`rag\` and the catalog's \`target\`, \`target_op\`, \`target_text\`, \`tolerance\`,
\`tolerance_text\` and \`policy_source\` follow them (the text is derived from the values, e.g.
\`≤ 1.50%\`); KPI values never change. Every build checks the file against the KPIs first and stops
with \`POLICY_INVALID\` naming the file, the line, the key and the fix: an unknown metric id (the known
ones are listed), an unknown key, a wrong type (\`"1.5%"\`, or \`1.5\` for a ratio whose target is a
fraction), an \`op\` that is not one of the four or does not fit the KPI's direction, a negative
\`tolerance\` or \`value\`, or keys of another kind of target than the KPI's. The file, its SHA-256 and
the overrides are recorded in \`ops.policy_files\` (row \`kpi-targets\`). The keys that apply to each KPI:

| KPI | Kind of target | Default (metric file) | Amber band | Keys |
|---|---|---|---|---|
${metrics.map((m) => `| \`${m.id}\` | ${m.target.kind === 'fixed' ? 'fixed' : m.target.kind === 'prior_year' ? 'same month a year earlier' : 'none'} | ${esc(catalogEntry(m).target_text)} | ${m.target.kind === 'none' ? '—' : m.tolerance} | ${m.target.kind === 'fixed' ? '`value`, `op`, `tolerance`, `policy_source`' : m.target.kind === 'prior_year' ? '`delta`, `delta_mode`, `tolerance`, `policy_source`' : '`policy_source`'} |`).join('\n')}
${metrics
  .filter((m) => m.target.kind === 'fixed' && typeof m.target.value === 'function')
  .map((m) => `\n\`${m.id}\`'s default follows the KPI rules${targetRule(m).replace(/^ — from the KPI rules:/, '')}; a \`value\` override replaces it with a constant.`)
  .join('\n')}

### Adding a KPI

Add one file \`metrics/<id-with-dashes>.ts\` that default-exports \`defineMetric({...})\` (copy a
similar KPI; declare its \`inputs\`, and \`needsPriorMonth\` / \`minObservations\` where they apply), run \`npm run transform\`, then \`npm run docs\`. The build discovers
the file, creates \`metrics.kpi_<id>\`, adds it to the catalog and \`kpi_values\`, and runs its data
tests. If the KPI needs a measure no mart has, add a column to the mart (or a new mart file under
\`transforms/warehouse/marts/\`). Deleting the file drops the table on the next build.

## Summary

| # | KPI | 指标 | Unit | Target | Amber band | Dimensions |
|---|---|---|---|---|---|---|
${summary.join('\n')}

## KPIs

${metrics.map(kpiSection).join('\n')}
## Marts (report inputs, no personal data)

| Mart | Grain | Description |
|---|---|---|
${marts.map((m) => `| \`marts.${m.name}\` | ${esc(m.grain)} | ${esc(m.description)} |`).join('\n')}
`;
}

/** The generated block of docs/classification.md. */
export function classificationBlock(rules: BusinessRules = defaultRules()): string {
  const f = rules.floor;
  const dpd = [...f.dpd].sort((a, b) => a.overDays - b.overDays);
  return [
    '| Rule | Floor (at least) |',
    '|---|---|',
    ...dpd.map((r) => `| days_past_due > ${r.overDays} (${r.overDays + 1} day${r.overDays === 0 ? '' : 's'} or more) | ${r.floor} (${FIVE_CLASS_EN[r.floor]}) |`),
    `| restructured, from \`restructured_on\` for ${f.restructured.observationMonths} months (\`restructured_on <= month end < restructured_on + ${f.restructured.observationMonths} months\`) | ${f.restructured.floor} (${FIVE_CLASS_EN[f.restructured.floor]}) |`,
    '',
    `Class order: ${FIVE_CLASSES.map((c, i) => `${i + 1} ${c}`).join(' < ')}.`,
  ].join('\n');
}

/** The generated block of docs/grading.md. */
export function gradingBlock(rules: BusinessRules = defaultRules()): string {
  const g = rules.grading;
  const cond = (r: (typeof g.rules)[number]) =>
    [
      r.loanClassAtLeast !== undefined ? `a loan recorded ${r.loanClassAtLeast} or worse` : null,
      r.loanDpdOver !== undefined ? `a loan more than ${r.loanDpdOver} days past due (${r.loanDpdOver + 1} or more)` : null,
      r.pdAtLeast !== undefined ? `PD ≥ ${+(r.pdAtLeast * 100).toFixed(6)}% (a PD of exactly ${r.pdAtLeast} counts)` : null,
      r.writtenOff ? 'a loan written off in the month' : null,
    ]
      .filter(Boolean)
      .join(', or ');
  return [
    '| Order | Grade | When (any of) |',
    '|---|---|---|',
    ...g.rules.map((r, i) => `| ${i + 1} | ${GRADE_LABELS[r.grade]} | ${cond(r)} |`),
    `| — | ${GRADE_LABELS[g.fallback]} | otherwise (also customers without loans or scores) |`,
    '',
    `PD = the latest risk score known at the month end, used when scored on or after the same day ${g.pdMaxAgeMonths} months before the month end (the last day of that month when it is shorter): at 2026-10-31 a score of ${monthsBefore('2026-10-31', g.pdMaxAgeMonths)} is used, one of ${dayBefore(monthsBefore('2026-10-31', g.pdMaxAgeMonths))} is ignored.`,
  ].join('\n');
}

/** The same day `months` months before a date, clamped to the month's last day. @example monthsBefore('2024-02-29', 12) // '2023-02-28' */
function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y, m - 1 - months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 - months, Math.min(d, last))).toISOString().slice(0, 10);
}

function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

function replaceBlock(text: string, block: string, file: string): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file}: markers ${START} … ${END} not found`);
  return `${text.slice(0, a + START.length)}\n${block}\n${text.slice(b)}`;
}

/** The generated block of docs/monitoring.md: the signals the warning rules may name and the rules in force. */
export function monitoringBlock(rules: BusinessRules = defaultRules()): string {
  const cell = (t: string) => t.replaceAll('|', '\\|');
  return [
    '### Signals (the words a rule may use)',
    '',
    '| signal | type | 中文 | meaning |',
    '|---|---|---|---|',
    ...WARNING_SIGNALS.map((s) => `| \`${s.name}\` | ${s.type === 'boolean' ? 'true/false' : s.type} | ${s.zh} | ${cell(s.en)} |`),
    '',
    '### Rules in force (policy/warning-rules.yaml)',
    '',
    '| id | 名称 | name | severity | owner | when |',
    '|---|---|---|---|---|---|',
    ...rules.warnings.rules.map((r) => `| \`${r.id}\` | ${r.nameZh} | ${r.nameEn} | ${r.severity} | ${r.owner} | \`${cell(r.when.text)}\` |`),
  ].join('\n');
}

/** Computes every generated doc: path → expected content. */
export async function generatedDocs(): Promise<Record<string, string>> {
  const grading = join(ROOT, 'docs/grading.md');
  const classification = join(ROOT, 'docs/classification.md');
  const monitoring = join(ROOT, 'docs/monitoring.md');
  return {
    [monitoring]: replaceBlock(readFileSync(monitoring, 'utf8'), monitoringBlock(), 'docs/monitoring.md'),
    [join(ROOT, 'docs/kpis.md')]: await kpisMarkdown(),
    [grading]: replaceBlock(readFileSync(grading, 'utf8'), gradingBlock(), 'docs/grading.md'),
    [classification]: replaceBlock(readFileSync(classification, 'utf8'), classificationBlock(), 'docs/classification.md'),
  };
}
