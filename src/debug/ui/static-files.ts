// The web UI's client side is plain files under ui/static/ at the repository root (HTML,
// CSS and vanilla JS modules: no bundler, no external assets). tsc copies no non-TS files,
// so they are found at run time by walking up from this module, which runs both as
// src/debug/ui/static-files.ts (vitest) and dist/src/debug/ui/static-files.js (after tsc).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteResult } from '../http-server.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The directory holding ui/static/index.html above `start`; throws when there is none. */
export function findStaticDir(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'ui', 'static');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`ui/static/index.html not found above ${start}`);
    dir = parent;
  }
}

/**
 * The servable files, as URL path below /ui/ (e.g. `app.js`, `views/timeline.js`). Only
 * these names get routes, so a request can never reach a file outside the folder.
 */
export function listStaticFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (CONTENT_TYPES[extname(entry.name)]) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Serves one file, read on every request: they are small, and a UI being worked on then
 * needs no server restart.
 */
export function serveStatic(dir: string, rel: string): RouteResult {
  return {
    contentType: CONTENT_TYPES[extname(rel)] ?? 'application/octet-stream',
    body: readFileSync(join(dir, rel)),
  };
}
