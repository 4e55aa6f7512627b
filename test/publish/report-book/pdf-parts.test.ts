import { describe, expect, it } from 'vitest';
import { isCqError } from '../../../transforms/lib/errors.js';
import { brokenXrefEntries, normalisePdf, PDF_CREATOR, PDF_PRODUCER } from '../../../transforms/publish/exports/pdf-metadata.js';
import { rollForward } from '../../../transforms/publish/report-book/book-data.js';
import { pdfDestinationPages } from '../../../transforms/publish/report-book/pdf-destinations.js';

/**
 * The PDF post-processing of the report book and the regulator package on hand-built PDFs laid out
 * as Chromium writes them (classic xref table, /Info first): metadata rewritten with every offset
 * still valid, a document /ID replaced by a content hash of the same length, named destinations
 * resolved to page numbers through a nested page tree; and the roll-forward split of the NPL waterfall.
 */

/** A small PDF with the given objects (numbered from 1) and trailer entries, with a correct xref table. */
function buildPdf(objects: string[], trailer: string): Buffer {
  let text = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(text.length);
    text += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  text += `trailer\n<<${trailer}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text, 'latin1');
}

const objects = [
  `<</Title <FEFF0041>\n/Creator (Mozilla/5.0 \\(X11\\) HeadlessChrome/156.0.0.0)\n/Producer (Skia/PDF m156)\n/CreationDate (D:20261206195313+00'00')\n/ModDate (D:20261206195313+00'00')>>`,
  '<</Type /Catalog /Pages 3 0 R /Dests 4 0 R>>',
  '<</Type /Pages /Count 3 /Kids [5 0 R 6 0 R]>>', // page 1, then a node holding pages 2 and 3
  '<</kpi-board [7 0 R /XYZ 6 827 0]\n/glossary [8 0 R /XYZ 6 827 0]\n/cover [5 0 R /XYZ 6 827 0]>>',
  '<</Type /Page /Parent 3 0 R>>',
  '<</Type /Pages /Count 2 /Kids [7 0 R 8 0 R]>>',
  '<</Type /Page /Parent 6 0 R>>',
  '<</Type /Page /Parent 6 0 R>>',
];

describe('normalisePdf', () => {
  it('replaces clock, user agent and version by the given date and fixed texts, keeps the title, shifts every offset', () => {
    const pdf = buildPdf(objects, '/Size 9 /Root 2 0 R /Info 1 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]');
    expect(brokenXrefEntries(pdf)).toEqual([]);
    const out = normalisePdf(pdf, { date: '2026-11-01T02:13:05Z' });
    const text = out.toString('latin1');
    expect(out.length).not.toBe(pdf.length); // the dictionary changed length: offsets had to move
    expect(brokenXrefEntries(out)).toEqual([]);
    expect(text).toContain('/Title <FEFF0041>');
    expect(text).toContain(`/Creator (${PDF_CREATOR})`);
    expect(text).toContain(`/Producer (${PDF_PRODUCER.replace(/[()]/g, (c) => `\\${c}`)})`);
    expect(text).toContain("/CreationDate (D:20261101021305+00'00')");
    expect(text).toContain("/ModDate (D:20261101021305+00'00')");
    expect(text).not.toMatch(/Skia|HeadlessChrome|20261206/);
    const id = /\/ID \[<([0-9A-F]+)> <([0-9A-F]+)>\]/.exec(text)!;
    expect(id[1]).toHaveLength(32);
    expect(id[1]).not.toBe('0123456789ABCDEF0123456789ABCDEF');
    // Same input, same bytes; another clock in the input, same bytes.
    expect(normalisePdf(pdf, { date: '2026-11-01T02:13:05Z' }).equals(out)).toBe(true);
    const later = buildPdf([objects[0]!.replaceAll('20261206195313', '20271231235959'), ...objects.slice(1)], '/Size 9 /Root 2 0 R /Info 1 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]');
    expect(normalisePdf(later, { date: '2026-11-01T02:13:05Z' }).equals(out)).toBe(true);
  });

  it('refuses a PDF not laid out as Chromium writes it rather than break its offsets', () => {
    const noInfo = buildPdf(objects, '/Size 9 /Root 2 0 R');
    try {
      normalisePdf(noInfo, { date: '2026-11-01T02:13:05Z' });
      expect.unreachable();
    } catch (e) {
      expect(isCqError(e) && e.code).toBe('EXPORT_FAILED');
      expect((e as Error).message).toMatch(/no \/Info in the trailer/);
    }
    const xrefStream = Buffer.from('%PDF-1.5\n1 0 obj\n<</Type /XRef>>\nendobj\nstartxref\n9\n%%EOF\n', 'latin1');
    expect(() => normalisePdf(xrefStream, { date: '2026-11-01T02:13:05Z' })).toThrow(/no classic xref table/);
  });
});

describe('pdfDestinationPages', () => {
  it('gives the page number of each named destination through a nested page tree', () => {
    const pages = pdfDestinationPages(buildPdf(objects, '/Size 9 /Root 2 0 R /Info 1 0 R'));
    expect(Object.fromEntries(pages)).toEqual({ cover: 1, 'kpi-board': 2, glossary: 3 });
  });
});

describe('rollForward', () => {
  it('keeps the balances and the bars in order; memo lines (of which …, cash collected) are left out', () => {
    const rows = [
      { code: 'opening', lineType: 'stock' },
      { code: 'new_npl', lineType: 'flow' },
      { code: 'new_npl_from_normal', lineType: 'memo' },
      { code: 'cured', lineType: 'flow' },
      { code: 'closing', lineType: 'stock' },
      { code: 'cash_collected', lineType: 'memo' },
    ] as const;
    expect(rollForward(rows).map((r) => r.code)).toEqual(['opening', 'new_npl', 'cured', 'closing']);
  });
});
