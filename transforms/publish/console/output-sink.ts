import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Where a result's bytes go: a file (written atomically) or a stream such as stdout. */
export interface ByteSink {
  write(data: string | Uint8Array): Promise<void>;
  /** Completes the output: a file is flushed, synced and renamed into place. */
  finish(): Promise<void>;
  /** Discards the output: a file's partial temporary is deleted, the target is untouched. */
  abort(): void;
}

/**
 * The hidden temporary a result file is written to before it is renamed to `out`, in the
 * same directory (so the rename is atomic).
 *
 * @example
 * partialPathFor('out/roll.parquet'); // 'out/.roll.parquet.partial-1234-9f2c1a'
 */
export function partialPathFor(out: string): string {
  return join(dirname(out), `.${basename(out)}.partial-${process.pid}-${randomBytes(3).toString('hex')}`);
}

const FLUSH_BYTES = 1 << 20;

/**
 * A file sink that buffers up to 1 MiB, writes to a partial file and renames it to `out`
 * on `finish()`, so a failed or interrupted query never leaves a half-written result and a
 * reader of `out` sees the old file or the new one.
 *
 * @example
 * const sink = fileSink('result.csv');
 * await sink.write('a,b\n'); await sink.finish();
 */
export function fileSink(out: string, partial: string = partialPathFor(out)): ByteSink & { partial: string } {
  const fd = openSync(partial, 'wx');
  let buffered: Buffer[] = [];
  let size = 0;
  let open = true;
  const flush = () => {
    if (size === 0) return;
    const buf = Buffer.concat(buffered, size);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    buffered = [];
    size = 0;
  };
  return {
    partial,
    async write(data) {
      const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      buffered.push(b);
      size += b.length;
      if (size >= FLUSH_BYTES) flush();
    },
    async finish() {
      flush();
      fsyncSync(fd);
      closeSync(fd);
      open = false;
      renameSync(partial, out);
    },
    abort() {
      if (open) closeSync(fd);
      open = false;
      rmSync(partial, { force: true });
    },
  };
}

/**
 * A sink over a writable stream (stdout), honouring back-pressure; never ends the stream.
 *
 * @example
 * const sink = streamSink(process.stdout);
 */
export function streamSink(stream: NodeJS.WritableStream): ByteSink {
  return {
    async write(data) {
      if (!stream.write(data)) await once(stream, 'drain');
    },
    async finish() {},
    abort() {},
  };
}
