// A temp copy of the Bookinfo example's top-level YAML (not its subfolders, which hold
// alternatives meant to be applied one at a time), so tests see one stable mesh.
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIR } from '../support/bookinfo.js';

export function copyBookinfo(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const e of readdirSync(EXAMPLE_DIR, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.yaml')) copyFileSync(join(EXAMPLE_DIR, e.name), join(dir, e.name));
  }
  return dir;
}
