import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITIES, type EntityContract } from '../contract/index.js';
import type { MappingSpec } from './mapping-types.js';
import { MAPPINGS_DIR } from './mapping-location.js';
import { readMapping } from './read-mapping.js';

/**
 * The "Lender layouts: mappings" section of docs/extracts.md, generated from the mapping files in
 * `policy/mappings/` (transforms/publish/docs/extract-docs.ts appends it), so the list of mappings, what each one
 * covers and every default it supplies cannot drift from the files. The format itself is
 * described in docs/mappings.md.
 *
 * @example
 * renderMappingSection().startsWith('## Lender layouts: mappings'); // true
 */
export function renderMappingSection(dir: string = MAPPINGS_DIR): string {
  const specs = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => readMapping(join(dir, f)));
  const parts = [
    `## Lender layouts: mappings

A lender whose files do not follow this contract delivers its own layout and names a **mapping**: a YAML file
in \`policy/mappings/\` that renames columns, converts units and date formats, translates codes, derives fields and
supplies documented defaults (format: [mappings.md](mappings.md)). Load with
\`npm run load -- --extracts DIR --mapping NAME\`, or put \`{"mapping": "NAME"}\` in the folder's \`manifest.json\`.
The mapped rows go through exactly the checks above; rejects name the source column
(\`… column outstanding_principal (from source column BILL_AMT1 × 0.2547): …\`). A mapping error (unknown key or
source column, untranslatable code, failing expression) stops the load before any row is written.
Every value a mapping supplies because the source lacks it is recorded in \`ops.mapping_defaults\`
(entity, column, default, note, rows carrying it; \`entity_absent\` for entities the source does not have).

| mapping | layout | sources | entities from the source | absent (0 rows) |
|---|---|---|---|---|`,
  ];
  for (const s of specs) {
    const layout = s.businessDates ? `business dates ${s.businessDates.map((b) => b.date).join(', ')}` : 'one folder per business date';
    const sources = Object.values(s.sources)
      .map((x) => `\`${x.file}\``)
      .join(', ');
    const mapped = ENTITIES.filter((e) => s.entities[e.name]).map((e) => (s.entities[e.name]!.kind === 'rows' ? `${e.name} (constant rows)` : e.name));
    const absent = (ENTITIES as readonly EntityContract[]).filter((e) => !s.entities[e.name] && !e.optional).map((e) => e.name);
    parts.push(`| \`${s.name}\` | ${layout} | ${sources} | ${mapped.join(', ')} | ${absent.join(', ') || '—'} |`);
  }
  for (const s of specs) {
    parts.push('', `### Mapping \`${s.name}\``, '', s.description || '(no description)', '', ...defaultsOf(s));
  }
  return `${parts.join('\n')}\n`;
}

function defaultsOf(s: MappingSpec): string[] {
  const rows: string[] = [];
  for (const e of ENTITIES) {
    const em = s.entities[e.name];
    if (!em) continue;
    for (const [col, cs] of Object.entries(em.columns)) {
      if (cs.default === null) continue;
      const when = cs.source === null && cs.expr === null ? 'always (not in the source)' : 'when the source value is empty';
      rows.push(`| \`${e.name}.${col}\` | \`${cs.default}\` | ${when} | ${cs.note ?? ''} |`);
    }
  }
  if (rows.length === 0) return ['Defaults: none.'];
  return ['Defaults it supplies (recorded in `ops.mapping_defaults`):', '', '| column | default | applied | why |', '|---|---|---|---|', ...rows];
}
