/**
 * Page numbers (1-based) of the named destinations of a PDF printed by headless Chromium: each
 * `<a href="#id">` of the page becomes a destination `/id [<page> 0 R /XYZ …]` in the catalogue's
 * `/Dests` dictionary; the page's number is its position in the page tree. The report book prints
 * once, reads where each section landed, and prints again with those numbers in its contents.
 * Destinations or pages it cannot resolve are left out (the caller decides what that means).
 *
 * @example
 * pdfDestinationPages(pdf); // Map { 'kpi-board' => 3, 'narrative' => 4, … }
 */
export function pdfDestinationPages(pdf: Buffer): Map<string, number> {
  const text = pdf.toString('latin1');
  const offsets = new Map<number, number>();
  const xrefAt = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1] ?? NaN);
  const head = Number.isInteger(xrefAt) ? /^xref\r?\n(\d+) (\d+)\r?\n/.exec(text.slice(xrefAt)) : null;
  if (head) {
    for (let i = 0; i < Number(head[2]); i++) {
      const at = xrefAt + head[0].length + i * 20;
      const m = /^(\d{10}) \d{5} n/.exec(text.slice(at, at + 20));
      if (m) offsets.set(Number(head[1]) + i, Number(m[1]));
    }
  }
  const obj = (n: number): string => {
    const at = offsets.get(n);
    if (at === undefined) return '';
    const end = text.indexOf('endobj', at);
    const body = text.slice(at, end < 0 ? undefined : end);
    const stream = body.indexOf('stream');
    return stream < 0 ? body : body.slice(0, stream);
  };
  const ref = (dict: string, key: string): number | undefined => {
    const m = new RegExp(`/${key}\\s+(\\d+)\\s+0\\s+R`).exec(dict);
    return m ? Number(m[1]) : undefined;
  };
  const trailer = text.slice(text.lastIndexOf('trailer'));
  const root = ref(trailer, 'Root');
  const catalog = root === undefined ? '' : obj(root);
  // Page order: depth-first through the page tree.
  const pageNo = new Map<number, number>();
  const walk = (n: number, depth: number): void => {
    if (depth > 32) return;
    const node = obj(n);
    if (/\/Type\s*\/Pages\b/.test(node)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(node)?.[1] ?? '';
      for (const k of kids.matchAll(/(\d+)\s+0\s+R/g)) walk(Number(k[1]), depth + 1);
    } else pageNo.set(n, pageNo.size + 1);
  };
  const pages = ref(catalog, 'Pages');
  if (pages !== undefined) walk(pages, 0);
  const destsRef = ref(catalog, 'Dests');
  const dests = destsRef !== undefined ? obj(destsRef) : (/\/Dests\s*(<<[^]*?>>)/.exec(catalog)?.[1] ?? '');
  const out = new Map<string, number>();
  for (const m of dests.matchAll(/\/([^\s/[\]<>()]+)\s*\[\s*(\d+)\s+0\s+R/g)) {
    const p = pageNo.get(Number(m[2]));
    if (p !== undefined) out.set(m[1]!.replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), p);
  }
  return out;
}
