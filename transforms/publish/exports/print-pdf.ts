import { CqError } from '../../lib/errors.js';
import { CHROMIUM_INSTALL_COMMAND, chromiumMissing, chromiumPath, launchChromium } from '../../lib/chromium.js';


/** Options of {@link printPdf}. */
export interface PrintOptions {
  headerTemplate: string;
  footerTemplate: string;
  /** Chromium binary. Default {@link chromiumPath}: `$CHROMIUM_PATH`, else {@link CHROMIUM_PATH}. */
  executablePath?: string;
}

/** A headless Chromium kept open to print several pages (see {@link openPdfPrinter}). */
export interface PdfPrinter {
  /** Prints one self-contained HTML page (same rules as {@link printPdf}). */
  print(html: string, templates: Pick<PrintOptions, 'headerTemplate' | 'footerTemplate'>): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium once for several prints (the report book prints twice: once to
 * find its page numbers, once with them). Close it when done.
 *
 * @example
 * const printer = await openPdfPrinter();
 * try { const a = await printer.print(html, templates); } finally { await printer.close(); }
 */
export async function openPdfPrinter(options: Pick<PrintOptions, 'executablePath'> = {}): Promise<PdfPrinter> {
  const executablePath = options.executablePath ?? chromiumPath();
  const missing = chromiumMissing(executablePath);
  if (missing) {
    throw new CqError('EXPORT_FAILED', `${missing}, so the PDF cannot be printed. Fix: ${CHROMIUM_INSTALL_COMMAND} (Debian's chromium through apt-get, needs root), or export with --no-pdf.`, {
      file: executablePath,
    });
  }
  const browser = await launchChromium({ path: executablePath });
  return {
    async print(html, templates) {
      const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        const refused: string[] = [];
        await page.route('**/*', (route) => {
          refused.push(route.request().url());
          return route.abort();
        });
        await page.setContent(html, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready).catch(() => undefined);
        if (refused.length) throw new CqError('EXPORT_FAILED', `the report page tried to load ${refused.slice(0, 3).join(', ')}: it must be self-contained.`);
        const pdf = await page.pdf({
          format: 'A4',
          preferCSSPageSize: true,
          printBackground: true,
          displayHeaderFooter: true,
          headerTemplate: templates.headerTemplate,
          footerTemplate: templates.footerTemplate,
          margin: { top: '16mm', bottom: '15mm', left: '11mm', right: '11mm' },
        });
        return Buffer.from(pdf);
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}

/**
 * Prints a self-contained HTML page to PDF with headless Chromium (playwright-core): A4 (CSS
 * `@page` sizes win, so landscape sections print landscape), backgrounds, header and footer
 * templates (page numbers). Every network request is refused: the page must not load anything.
 * Chromium writes the clock and its own version into the document information: pass the result
 * through `normalisePdf` (pdf-metadata.ts) for a byte-reproducible file.
 *
 * @example
 * const pdf = await printPdf(html, { headerTemplate: '<div></div>', footerTemplate: '<div><span class="pageNumber"></span></div>' });
 */
export async function printPdf(html: string, options: PrintOptions): Promise<Buffer> {
  const printer = await openPdfPrinter(options);
  try {
    return await printer.print(html, options);
  } finally {
    await printer.close();
  }
}

/**
 * Replaces the `/CreationDate` and `/ModDate` Chromium writes (the wall clock) with `iso`, in
 * place and only where the new value has exactly the same length, so no byte offset (xref)
 * moves. With this, printing the same HTML with the same Chromium and fonts gives the same bytes.
 *
 * @example
 * stampPdfDates(pdf, '2026-11-01T02:13:05Z'); // /CreationDate (D:20261101021305+00'00')
 */
export function stampPdfDates(pdf: Buffer, iso: string): Buffer {
  const d = new Date(iso);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
  const text = pdf.toString('latin1');
  const out = text.replace(/\/(CreationDate|ModDate) \((D:[^)]*)\)/g, (all, key: string, value: string) =>
    value.length === stamp.length ? `/${key} (${stamp})` : all,
  );
  return Buffer.from(out, 'latin1');
}

/**
 * Counts the pages of a PDF written by Chromium (page objects; no parser needed for its output).
 *
 * @example
 * pdfPageCount(readFileSync('package.pdf')); // 9
 */
export function pdfPageCount(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}
