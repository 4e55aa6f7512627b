/** Operational tables: load audit, rejected rows (and, later, the run ledger). */
export interface OpsTables {
  'ops.load_audit': {
    load_id: string;
    business_date: Date;
    entity: string;
    path: string;
    sha256: string;
    bytes: bigint;
    encoding: string;
    format: string;
    rows_read: bigint;
    rows_loaded: bigint;
    rows_rejected: bigint;
    started_at: Date;
    finished_at: Date;
  };
  'ops.rejected_rows': {
    load_id: string;
    business_date: Date;
    entity: string;
    path: string;
    line: bigint;
    column_name: string | null;
    reason_code: string;
    reason: string;
    raw_record: string | null;
  };
}
