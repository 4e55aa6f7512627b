/**
 * Types of the extract contract: what a lender's nightly extract file must contain.
 * One `EntityContract` per file kind (customers, loans, ...); see docs/extracts.md.
 */

/** Logical column types of the contract and the DuckDB type each loads as. */
export const COLUMN_TYPES = {
  text: 'VARCHAR',
  integer: 'INTEGER',
  /** Money in the loan's currency (loans.currency), to the cent. Never floating point. */
  money: 'DECIMAL(18,2)',
  /** Rates and probabilities, e.g. 0.0435 for 4.35%. */
  rate: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
} as const;

export type ColumnType = keyof typeof COLUMN_TYPES;

/** One column of an extract file. */
export interface ColumnContract {
  readonly name: string;
  readonly type: ColumnType;
  /** Null / empty is rejected when true. */
  readonly required: boolean;
  readonly description: string;
  /** Allowed values (codes), checked after trimming. */
  readonly values?: readonly string[];
  /**
   * `values` is a long list kept as data (e.g. ISO 4217 currency codes): messages and docs name the
   * list instead of printing every value. `aliases` maps common wrong values to the right code
   * (`RMB` → `CNY`), named in the reject message.
   */
  readonly valuesList?: {
    /** e.g. `an ISO 4217 currency code`. */
    readonly name: string;
    /** File holding the list, e.g. `transforms/ingest/contract/iso-4217.json`. */
    readonly file: string;
    readonly aliases?: Readonly<Record<string, string>>;
  };
  /** Inclusive lower bound for numbers (e.g. 0 for amounts: negative amounts are rejected). */
  readonly min?: number;
  /** Inclusive upper bound for numbers. */
  readonly max?: number;
  /** Personal data: masked for analysts and never shipped to the report site. */
  readonly pii?: boolean;
  /** A date that must equal the business date of the folder the file is delivered in (a snapshot date); other rows are rejected. */
  readonly businessDate?: boolean;
  /** A date that must not be after the business date of the folder the file is delivered in (an event cannot be reported before it happened); later rows are rejected. */
  readonly notAfterBusinessDate?: boolean;
}

/** A reference from this entity's column(s) to another entity's primary key. */
export interface ReferenceContract {
  readonly column: string;
  readonly entity: string;
  readonly entityColumn: string;
}

/** The contract of one extract file kind. */
export interface EntityContract {
  /** File base name and raw table name, e.g. `loans` → `loans.csv`, `raw.loans`. */
  readonly name: string;
  readonly description: string;
  /**
   * How successive business dates relate:
   * - `snapshot`: each date's file is the full list (reference data); latest date wins.
   * - `versioned`: each date's file holds new or changed records; the latest version as of a date wins.
   * - `events`: each date's file holds new events (append-only facts).
   */
  readonly history: 'snapshot' | 'versioned' | 'events';
  readonly columns: readonly ColumnContract[];
  /** Unique within one business date's file (and, for events, across dates). */
  readonly primaryKey: readonly string[];
  readonly references: readonly ReferenceContract[];
  /**
   * An optional entity may be left out of a business date's delivery (no file: nothing loaded for
   * it on that date, no audit row); a delivered file is checked like any other. Default: required.
   */
  readonly optional?: true;
  /** Row-level rules beyond single columns: SQL over the typed columns that must be true. */
  readonly rules?: readonly { readonly id: string; readonly sql: string; readonly message: string }[];
}

/** Helper that keeps literal types (so the warehouse row types can be derived). */
export function defineEntity<const E extends EntityContract>(entity: E): E {
  return entity;
}

type TsOf<T extends ColumnType> = T extends 'text'
  ? string
  : T extends 'integer'
    ? number
    : T extends 'money'
      ? string
      : T extends 'rate'
        ? number
        : T extends 'date' | 'timestamp'
          ? Date
          : T extends 'boolean'
            ? boolean
            : never;

/** The TypeScript row type of a raw table derived from its contract. */
export type RowOf<E extends EntityContract> = {
  [C in E['columns'][number] as C['name']]: C['required'] extends true ? TsOf<C['type']> : TsOf<C['type']> | null;
} & LineageColumns;

/** Lineage columns every raw row carries, so every KPI traces back to a file and line. */
export interface LineageColumns {
  _business_date: Date;
  _source_file: string;
  _source_line: number;
  _load_id: string;
}

/** Description of each lineage column (the data dictionary; staging views inherit them). */
export const LINEAGE_COLUMN_DOCS: Readonly<Record<keyof LineageColumns, string>> = {
  _business_date: 'Business date of the extract that delivered the row.',
  _source_file: 'Extract file the row came from.',
  _source_line: 'Line in the extract file (1 = header).',
  _load_id: 'Load that wrote the row (see ops.load_audit).',
};
