// Reads a config directory for analysis: every document with its line numbers (messages
// point at the offending field, as istioctl does), the objects our schemas accept, and the
// problems they reject, found by the same parser the file source uses.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isNode, isScalar, type Document } from 'yaml';
import type { AnyConfigObject } from '../model/config.js';
import type { ObjectValidationError } from '../model/errors.js';
import { isConfigFile } from '../sources/file/file-source.js';
import { parseConfigFile } from '../sources/file/parse-file.js';

export interface RawDoc {
  /** Path as the user will read it: the config dir joined with the file's relative path. */
  file: string;
  /** Relative to the config dir: the objects' origin.location. */
  rel: string;
  index: number;
  value: unknown;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface LoadedConfig {
  docs: RawDoc[];
  objects: AnyConfigObject[];
  errors: ObjectValidationError[];
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) out.push(...(await listFiles(root, abs)));
    else if (e.isFile() && isConfigFile(abs)) out.push(path.relative(root, abs).split(path.sep).join('/'));
  }
  return out.sort();
}

export async function loadConfigDir(dir: string): Promise<LoadedConfig> {
  const out: LoadedConfig = { docs: [], objects: [], errors: [] };
  // Objects without creationTimestamp: a fixed time keeps the analysis deterministic.
  const firstSeen = () => '1970-01-01T00:00:00Z';
  for (const rel of await listFiles(dir)) {
    const text = await readFile(path.join(dir, rel), 'utf8');
    const file = path.join(dir, rel);
    const lines = new LineCounter();
    parseAllDocuments(text, { lineCounter: lines }).forEach((doc, index) => {
      out.docs.push({ file, rel, index, value: doc.errors.length ? undefined : doc.toJS(), doc, lines });
    });
    const parsed = parseConfigFile(text, rel, firstSeen);
    out.objects.push(...parsed.objects);
    out.errors.push(...parsed.errors);
  }
  return out;
}

/** `spec.http[0].route["a.b"]` → ['spec', 'http', 0, 'route', 'a.b']. */
export function parseFieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(field); m; m = re.exec(field)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

/**
 * The 1-based line of `field` in a document, or of the nearest ancestor that exists (a
 * missing required field points at its parent), or of the document's start.
 */
export function lineOf(d: RawDoc | undefined, field: string | (string | number)[] = []): number {
  if (!d) return 0;
  const keys = typeof field === 'string' ? parseFieldPath(field) : field;
  for (let n = keys.length; n >= 0; n--) {
    // A map entry's line is its key's (a block value starts on the next line).
    const parent: unknown = n <= 1 ? d.doc.contents : d.doc.getIn(keys.slice(0, n - 1), true);
    const last = keys[n - 1];
    if (n > 0 && isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      if (pair && isNode(pair.key) && pair.key.range) return d.lines.linePos(pair.key.range[0]).line;
    }
    const node: unknown = n === 0 ? d.doc.contents : d.doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return d.lines.linePos(node.range[0]).line;
  }
  return 0;
}
