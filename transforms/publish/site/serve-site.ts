/**
 * A tiny static file server for the built Evidence site (the output of `buildSite()` in
 * build-site.ts). Bound to 127.0.0.1 only. Used by the browser tests and the bench, and for a local
 * look through the command line (transforms/cli/site-serve.ts).
 *
 * What Evidence's static build (SvelteKit adapter-static, no SPA fallback page) needs:
 * - `/` and `/dir/` → `dir/index.html`; `/kpi/npl` → `kpi/npl.html` (prerendered pages);
 * - correct MIME types, in particular `application/wasm` (DuckDB-wasm is compiled with
 *   `instantiateStreaming`, which refuses any other type) and JS modules as `text/javascript`;
 * - HEAD and single `Range: bytes=a-b` requests: DuckDB-wasm reads `data/**.parquet` over HTTP with
 *   HEAD + range requests (206 Partial Content);
 * - unknown paths → 404 (with the site's own `404.html` when one exists). No SPA fallback: Evidence
 *   prerenders every page, and serving index.html for a missing page would hide a broken link.
 */
import { createReadStream, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { CqError } from '../../lib/errors.js';

/** MIME types by file extension (lower-case, with the dot). */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.wasm': 'application/wasm',
  '.parquet': 'application/vnd.apache.parquet',
  '.arrow': 'application/vnd.apache.arrow.file',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A running server: its base URL (no trailing slash) and a way to stop it. */
export interface StaticServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` on 127.0.0.1:`port` (0 = any free port).
 *
 * @example
 * const site = await serveStatic('/tmp/site');
 * await page.goto(`${site.url}/`);
 * await site.close();
 */
export async function serveStatic(dir: string, port = 0): Promise<StaticServer> {
  const root = resolve(dir);
  const rootStat = statSync(root, { throwIfNoEntry: false });
  if (!rootStat?.isDirectory()) throw new CqError('CLI_USAGE', `serveStatic: ${root} is not a directory (build the site first, or give the directory of a built site)`, { file: root });

  const server = createServer((req, res) => {
    try {
      handle(root, req, res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${(err as Error).message}`);
    }
  });
  // Keep-alive sockets would make close() wait; the browser tests close the browser first anyway.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((err) => (err ? fail(err) : ok()));
        server.closeAllConnections();
      }),
  };
}

/** Resolves a URL path to a file under root, or null. Never escapes root. */
export function resolveFile(root: string, urlPath: string): { path: string; stat: Stats } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (base !== root && !base.startsWith(root + sep)) return null;
  const candidates = decoded.endsWith('/')
    ? [join(base, 'index.html')]
    : [base, `${base}.html`, join(base, 'index.html')];
  for (const path of candidates) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isFile()) return { path, stat };
  }
  return null;
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const found = resolveFile(root, url.pathname);
  if (!found) {
    const notFound = resolveFile(root, '/404.html');
    if (notFound) {
      sendFile(req, res, notFound.path, notFound.stat, 404);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `not found: ${url.pathname}`);
    }
    return;
  }
  sendFile(req, res, found.path, found.stat, 200);
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, stat: Stats, status: number): void {
  const type = MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  const size = stat.size;
  const headers: Record<string, string | number> = {
    'content-type': type,
    'accept-ranges': 'bytes',
    'last-modified': stat.mtime.toUTCString(),
    // Hashed assets could be cached forever; the test server keeps it simple and always fresh.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  };

  let start = 0;
  let end = size - 1;
  const range = status === 200 ? req.headers.range : undefined;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!m || (m[1] === '' && m[2] === '')) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    if (m[1] === '') {
      // suffix range: last N bytes
      start = Math.max(0, size - Number(m[2]));
    } else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(Number(m[2]), size - 1);
    }
    if (start > end || start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['content-length'] = size === 0 ? 0 : end - start + 1;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  createReadStream(path, { start, end }).pipe(res);
}
