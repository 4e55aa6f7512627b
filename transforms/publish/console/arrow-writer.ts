import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalType,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import {
  AsyncByteQueue,
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeBuilder,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { ByteSink } from './output-sink.js';
import { chunkColumns, type ResultColumn, type ResultWriter } from './result-writer.js';
import { valueText } from './value-format.js';

/** Field metadata key holding the DuckDB type of each column. */
export const DUCKDB_TYPE_METADATA = 'duckdb_type';

/**
 * The Arrow type a DuckDB column is written as (the same mapping DuckDB's own Arrow export
 * uses): integers, floats and BOOLEAN as themselves; DECIMAL(w,s) → Decimal128(w,s);
 * HUGEINT → Decimal128(38,0); DATE → Date32 (days); TIMESTAMP → Timestamp(µs), TIMESTAMPTZ →
 * Timestamp(µs, UTC); TIME → Time64(µs); VARCHAR → Utf8; BLOB → Binary. Anything else
 * (INTERVAL, UUID, ENUM, LIST, STRUCT, MAP, …) is written as Utf8 text in DuckDB's format;
 * every field carries its DuckDB type in the metadata key `duckdb_type`.
 *
 * @example
 * arrowTypeOf(DECIMAL(18, 2)).toString(); // 'Decimal[18e-2]'
 */
export function arrowTypeOf(type: DuckDBType): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new Bool();
    case DuckDBTypeId.TINYINT:
      return new Int8();
    case DuckDBTypeId.SMALLINT:
      return new Int16();
    case DuckDBTypeId.INTEGER:
      return new Int32();
    case DuckDBTypeId.BIGINT:
      return new Int64();
    case DuckDBTypeId.UTINYINT:
      return new Uint8();
    case DuckDBTypeId.USMALLINT:
      return new Uint16();
    case DuckDBTypeId.UINTEGER:
      return new Uint32();
    case DuckDBTypeId.UBIGINT:
      return new Uint64();
    case DuckDBTypeId.FLOAT:
      return new Float32();
    case DuckDBTypeId.DOUBLE:
      return new Float64();
    case DuckDBTypeId.DECIMAL: {
      const d = type as DuckDBDecimalType;
      return new Decimal(d.scale, d.width, 128);
    }
    case DuckDBTypeId.HUGEINT:
      return new Decimal(0, 38, 128);
    case DuckDBTypeId.DATE:
      return new DateDay();
    case DuckDBTypeId.TIMESTAMP:
      return new TimestampMicrosecond();
    case DuckDBTypeId.TIMESTAMP_TZ:
      return new TimestampMicrosecond('UTC');
    case DuckDBTypeId.TIME:
      return new TimeMicrosecond();
    case DuckDBTypeId.BLOB:
      return new Binary();
    default:
      return new Utf8();
  }
}

type Values = readonly (DuckDBValue | undefined)[];

function validity(values: Values): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { bitmap, nullCount };
}

function fixedWidth<T extends DataType>(type: T, values: Values, data: ArrayLike<unknown>): Data<T> {
  const { bitmap, nullCount } = validity(values);
  return makeData({ type, length: values.length, nullCount, nullBitmap: nullCount ? bitmap : null, data } as never) as Data<T>;
}

type TypedArrayCtor = new (n: number) => { [i: number]: number | bigint; length: number };

function numbers(type: DataType, values: Values, Ctor: TypedArrayCtor, conv: (v: DuckDBValue) => number | bigint): Data {
  const arr = new Ctor(values.length);
  values.forEach((v, i) => {
    if (v !== null && v !== undefined) arr[i] = conv(v);
  });
  return fixedWidth(type, values, arr as unknown as ArrayLike<unknown>);
}

const MASK64 = (1n << 64n) - 1n;

/** Two's-complement 128-bit little-endian words, as Arrow's Decimal128 stores them. */
function decimals(type: Decimal, values: Values, unscaled: (v: DuckDBValue) => bigint): Data {
  const words = new Uint32Array(values.length * 4);
  const view = new DataView(words.buffer);
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const x = unscaled(v);
    view.setBigUint64(i * 16, x & MASK64, true);
    view.setBigInt64(i * 16 + 8, x >> 64n, true);
  });
  return fixedWidth(type, values, words);
}

function viaBuilder(type: DataType, values: Values, conv: (v: Exclude<DuckDBValue, null>) => unknown): Data {
  const b = makeBuilder({ type, nullValues: [null, undefined] });
  for (const v of values) b.append(v === null || v === undefined ? null : conv(v));
  return b.finish().flush();
}

/**
 * Converts one column of DuckDB values into Arrow data of {@link arrowTypeOf}(type).
 *
 * @example
 * const data = arrowColumn(INTEGER, [1, null, 3]);
 */
export function arrowColumn(type: DuckDBType, values: Values): Data {
  const at = arrowTypeOf(type);
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return viaBuilder(at, values, (v) => v === true);
    case DuckDBTypeId.TINYINT:
      return numbers(at, values, Int8Array, (v) => v as number);
    case DuckDBTypeId.SMALLINT:
      return numbers(at, values, Int16Array, (v) => v as number);
    case DuckDBTypeId.INTEGER:
      return numbers(at, values, Int32Array, (v) => v as number);
    case DuckDBTypeId.UTINYINT:
      return numbers(at, values, Uint8Array, (v) => v as number);
    case DuckDBTypeId.USMALLINT:
      return numbers(at, values, Uint16Array, (v) => v as number);
    case DuckDBTypeId.UINTEGER:
      return numbers(at, values, Uint32Array, (v) => v as number);
    case DuckDBTypeId.BIGINT:
      return numbers(at, values, BigInt64Array, (v) => v as bigint);
    case DuckDBTypeId.UBIGINT:
      return numbers(at, values, BigUint64Array, (v) => v as bigint);
    case DuckDBTypeId.FLOAT:
      return numbers(at, values, Float32Array, (v) => v as number);
    case DuckDBTypeId.DOUBLE:
      return numbers(at, values, Float64Array, (v) => v as number);
    case DuckDBTypeId.DECIMAL:
      return decimals(at as Decimal, values, (v) => (v as DuckDBDecimalValue).value);
    case DuckDBTypeId.HUGEINT:
      return decimals(at as Decimal, values, (v) => v as bigint);
    case DuckDBTypeId.DATE:
      return numbers(at, values, Int32Array, (v) => (v as DuckDBDateValue).days);
    case DuckDBTypeId.TIMESTAMP:
      return numbers(at, values, BigInt64Array, (v) => (v as DuckDBTimestampValue).micros);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return numbers(at, values, BigInt64Array, (v) => (v as DuckDBTimestampTZValue).micros);
    case DuckDBTypeId.TIME:
      return numbers(at, values, BigInt64Array, (v) => (v as DuckDBTimeValue).micros);
    case DuckDBTypeId.BLOB:
      return viaBuilder(at, values, (v) => (v as DuckDBBlobValue).bytes);
    case DuckDBTypeId.VARCHAR:
      return viaBuilder(at, values, (v) => v as string);
    default:
      return viaBuilder(at, values, (v) => valueText(v));
  }
}

/** An Arrow byte queue that hands every written buffer to us instead of queueing it. */
class CollectingQueue extends AsyncByteQueue {
  pending: Uint8Array[] = [];
  override write(value: ArrayBufferView | ArrayBufferLike | Uint8Array | ArrayLike<number> | Iterable<number>): void {
    const v = value as ArrayBufferView;
    if (v.byteLength > 0) this.pending.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  override close(): void {}
  take(): Uint8Array[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }
}

/**
 * Arrow IPC file format (a.k.a. Feather v2; `.arrow`), one record batch per DuckDB chunk,
 * streamed to the sink as it is produced (the footer is written at the end).
 * Read back with apache-arrow `tableFromIPC`, pyarrow `pa.ipc.open_file`, polars `read_ipc`.
 *
 * @example
 * await executeQuery(session, sql, arrowWriter(fileSink('result.arrow')));
 */
export function arrowWriter(sink: ByteSink): ResultWriter {
  const queue = new CollectingQueue();
  const writer = new RecordBatchFileWriter();
  let schema: Schema | undefined;
  let types: DuckDBType[] = [];
  const drain = async () => {
    for (const b of queue.take()) await sink.write(b);
  };
  return {
    async begin(columns: readonly ResultColumn[]) {
      types = columns.map((c) => c.type);
      schema = new Schema(columns.map((c) => new Field(c.name, arrowTypeOf(c.type), true, new Map([[DUCKDB_TYPE_METADATA, c.type.toString()]]))));
      writer.reset(queue as never, schema);
      await drain();
    },
    async rows(chunk, count) {
      if (!count) return;
      const cols = chunkColumns(chunk, count);
      const children = cols.map((values, c) => arrowColumn(types[c]!, values));
      const data = makeData({ type: new Struct(schema!.fields), length: count, nullCount: 0, children });
      writer.write(new RecordBatch(schema!, data));
      await drain();
    },
    async end() {
      writer.close();
      await drain();
    },
  };
}
