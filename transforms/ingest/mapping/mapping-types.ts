import type { EntityContract } from '../contract/index.js';
import type { ExtractEncoding } from '../load/extract-files.js';

/**
 * The parsed, checked form of a mapping file (`policy/mappings/<name>.yaml`): how one lender's file
 * layout turns into the extract contract. The YAML format is documented in docs/mappings.md;
 * `readMapping` produces this shape and rejects anything it cannot check.
 *
 * @example
 * const m: MappingSpec = readMapping('policy/mappings/lending-club.yaml');
 * m.entities.loans?.columns.principal; // { source: 'loan_amount', key: 'entities.loans.columns.principal', ... }
 */
export interface MappingSpec {
  /** Mapping name (the file's base name unless `name:` says otherwise). */
  readonly name: string;
  /** Absolute path of the mapping file. */
  readonly path: string;
  readonly description: string;
  /**
   * Business dates the mapping itself declares (flat layout: the source files sit directly
   * in the extracts folder), each with its per-date variables; `null` = one business-date
   * folder per date (the usual extract layout, sources inside each folder).
   */
  readonly businessDates: readonly BusinessDateVars[] | null;
  readonly sources: Readonly<Record<string, SourceSpec>>;
  readonly codeTables: Readonly<Record<string, CodeTable>>;
  /** Mapped entities by contract entity name; contract entities not listed are absent from the source. */
  readonly entities: Readonly<Record<string, EntityMapping>>;
  /** 1-based line of a key path in the mapping file (for messages), when known. */
  lineOf(key: string): number | undefined;
}

/** One business date of a flat-layout mapping and its variables (`${name}` in column specs). */
export interface BusinessDateVars {
  readonly date: string;
  readonly vars: Readonly<Record<string, string>>;
}

/** A source file of the lender's layout. */
export interface SourceSpec {
  readonly name: string;
  /** File name relative to the extracts folder (flat layout) or the business-date folder. */
  readonly file: string;
  /** Text encoding; default: the folder manifest's encoding, else utf-8. */
  readonly encoding: ExtractEncoding | null;
  /** Source texts that mean "no value" (besides the empty string), e.g. `NA`. */
  readonly nullValues: readonly string[];
  readonly key: string;
}

/**
 * A code table: source code → one value (`columns` null) or → one value per named column
 * (`columns` e.g. [name_en, name_zh, region], referenced as `table.column`).
 */
export interface CodeTable {
  readonly name: string;
  readonly columns: readonly string[] | null;
  readonly rows: ReadonlyMap<string, readonly string[]>;
  readonly key: string;
}

/** How one contract entity is produced. */
export interface EntityMapping {
  readonly entity: EntityContract;
  /** `source`: one row per source row (or per distinct `oneRowPer`); `rows`: constant rows written in the mapping. */
  readonly kind: 'source' | 'rows';
  /** Source name (kind `source`). */
  readonly from: string | null;
  /** Business dates on which the entity is delivered; null = every date. */
  readonly dates: readonly string[] | null;
  /** Contract columns whose mapped values identify a row: one row per distinct value, first source line wins. */
  readonly oneRowPer: readonly string[];
  /** Contract column → how it is filled (kind `source`). Optional contract columns may be absent (empty). */
  readonly columns: Readonly<Record<string, ColumnSpec>>;
  /** Constant rows (kind `rows`): contract column → text (null = empty), with the mapping line of each row. */
  readonly rows: readonly { readonly values: Readonly<Record<string, string | null>>; readonly line: number }[];
  /** Source columns kept verbatim in `ops.mapping_source_values` under a name (e.g. a realised outcome). */
  readonly retain: Readonly<Record<string, string>>;
  readonly key: string;
}

/**
 * How one contract column is filled. Exactly one of `source`, `expr`, `const`, or a lone
 * `default`; then, in this order: `translate` (+ `otherwise`), `dateFormat`, `scale`/`numeric`,
 * and `default` as the fallback for empty values. Strings may contain `${var}` (per-date variables,
 * `${business_date}`); `expr` refers to source columns as `{column}` and to the source line as `{_line}`.
 */
export interface ColumnSpec {
  readonly source: string | null;
  readonly expr: string | null;
  readonly const: string | null;
  /** Used when the value is empty; alone = the source lacks the field. Recorded in `ops.mapping_defaults`. */
  readonly default: string | null;
  /** Why (required with `default`): stored with the default in the warehouse. */
  readonly note: string | null;
  readonly translate: { readonly table: string; readonly column: string | null } | null;
  /** Value for codes the table does not list; without it such a code stops the load (MAPPING_UNTRANSLATABLE_CODE). */
  readonly otherwise: string | null;
  /** strptime format of a source date, e.g. `%b-%Y` for `Mar-2018` (→ the 1st of the month). */
  readonly dateFormat: string | null;
  /** Multiply a numeric source value, e.g. 0.01 for percent → fraction; money is then rounded to cents. */
  readonly scale: number | null;
  /** Normalise numbers (e.g. `5.00E+05` → `500000.00`) without scaling. */
  readonly numeric: boolean;
  readonly key: string;
}
