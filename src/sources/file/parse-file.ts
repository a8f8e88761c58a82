// One config file's text → validated objects or the list of everything wrong with it.
// Multi-document YAML (JSON is YAML too); empty documents are skipped; `kind: List` is
// expanded into its items.
import { parseAllDocuments } from 'yaml';
import type { AnyConfigObject, ConfigKey, ObjectOrigin } from '../../model/config.js';
import { keyString } from '../../model/config.js';
import { ObjectValidationError } from '../../model/errors.js';
import { validateObject } from '../../model/schemas/index.js';

export interface ParsedFile {
  objects: AnyConfigObject[];
  errors: ObjectValidationError[];
  /** Documents of kinds skipped on purpose (logged at debug level by the caller). */
  skipped: { doc: number; kind: string; apiVersion: string }[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function syntaxError(origin: ObjectOrigin, err: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): ObjectValidationError {
  // The yaml package puts " at line L, column C:" and a code excerpt after the reason.
  const reason = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
  const pos = err.linePos?.[0];
  const where = pos ? `line ${pos.line}, col ${pos.col}: ` : '';
  return new ObjectValidationError({ origin, kind: '', namespace: '', name: '', field: '', detail: `YAML syntax error: ${where}${reason}` });
}

export function parseConfigFile(text: string, location: string, firstSeen: (key: ConfigKey) => string): ParsedFile {
  const out: ParsedFile = { objects: [], errors: [], skipped: [] };
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  /** key → document that first defined it, to report duplicates within the file. */
  const seen = new Map<string, number>();
  list.forEach((doc, documentIndex) => {
    const origin: ObjectOrigin = { source: 'file', location, documentIndex };
    if (doc.errors.length > 0) {
      out.errors.push(...doc.errors.map((e) => syntaxError(origin, e)));
      return;
    }
    const raw: unknown = doc.toJS();
    if (raw === null || raw === undefined) return;
    const items = isRecord(raw) && raw['kind'] === 'List' && Array.isArray(raw['items']) ? (raw['items'] as unknown[]) : [raw];
    for (const item of items) {
      const r = validateObject(item, origin, firstSeen);
      if (r.status === 'invalid') out.errors.push(...r.errors);
      else if (r.status === 'skipped') out.skipped.push({ doc: documentIndex, kind: r.kind, apiVersion: r.apiVersion });
      else {
        const o = r.object;
        const key = keyString({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
        const first = seen.get(key);
        if (first !== undefined) {
          out.errors.push(
            new ObjectValidationError({
              origin, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, field: 'metadata.name',
              detail: `duplicate object: already defined in doc ${first}`,
            }),
          );
          continue;
        }
        seen.set(key, documentIndex);
        out.objects.push(o);
      }
    }
  });
  return out;
}
