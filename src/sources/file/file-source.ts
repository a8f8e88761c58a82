// FileSource: a directory of YAML/JSON config files feeding a ConfigStore. Each file is one
// owner in the store. A file that fails validation (syntax, schema, or a VirtualService
// naming a subset no DestinationRule defines) changes nothing: its last good objects stay,
// and its errors are logged and kept for the debug surface until the file is fixed.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { AnyConfigObject, ConfigKey } from '../../model/config.js';
import { keyString } from '../../model/config.js';
import type { ObjectValidationError } from '../../model/errors.js';
import { OverlayReader } from '../../model/overlay-reader.js';
import { checkReferences } from '../../model/references.js';
import type { ConfigStore } from '../../model/store.js';
import { parseConfigFile, type ParsedFile } from './parse-file.js';

const CONFIG_EXT = new Set(['.yaml', '.yml', '.json']);

/**
 * chokidar drops a file's `change` events that come within 50 ms of the previous one (and
 * never emits them later), so the last write of a quick burst can go unseen. Each event
 * is therefore followed by one quiet re-read after this delay: latency stays that of the
 * first event, and the final content is always read.
 */
const TRAILING_REREAD_MS = 75;

/** Config files only; dotfiles (editor swap and lock files) are not config. */
export function isConfigFile(p: string): boolean {
  const base = path.basename(p);
  return !base.startsWith('.') && CONFIG_EXT.has(path.extname(base).toLowerCase());
}

export interface FileSourceOptions {
  dir: string;
  store: ConfigStore;
  logger: Logger;
  /** Keep watching after the initial load (default true); offline commands load once. */
  watch?: boolean;
}

export class FileSource {
  private readonly dir: string;
  private readonly store: ConfigStore;
  private readonly logger: Logger;
  private watcher: FSWatcher | undefined;
  /** What each file currently contributes to the store (its last good objects). */
  private readonly good = new Map<string, AnyConfigObject[]>();
  private readonly fileErrors = new Map<string, ObjectValidationError[]>();
  /** Files rejected only for their references: another file's change may fix them. */
  private readonly refRejected = new Set<string>();
  /** First time each object was seen: its creationTimestamp when the file gives none. */
  private readonly firstSeenAt = new Map<string, string>();
  /** File work runs one job at a time, in event order. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly rereads = new Map<string, NodeJS.Timeout>();
  private isSynced = false;
  private readonly watch: boolean;

  constructor(opts: FileSourceOptions) {
    this.watch = opts.watch ?? true;
    this.dir = path.resolve(opts.dir);
    this.store = opts.store;
    this.logger = opts.logger;
  }

  /** True once the initial load is in the store. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Loads every config file below dir, then watches; resolves when the load is in the store. */
  async start(): Promise<void> {
    if (!this.watch) {
      await this.enqueue(() => this.initialLoad());
      this.isSynced = true;
      return;
    }
    // Watch first, so that no change between the load and the watch is lost; events queue
    // behind the initial load and re-reading an unchanged file is a no-op in the store.
    const watcher = chokidar.watch(this.dir, {
      ignoreInitial: true,
      // Directories must pass so that chokidar descends into them.
      ignored: (p, stats) => (stats?.isFile() ?? false) && !isConfigFile(p),
    });
    this.watcher = watcher;
    watcher.on('add', (p) => this.onFile(p));
    watcher.on('change', (p) => this.onFile(p));
    watcher.on('unlink', (p) => this.onFile(p));
    watcher.on('unlinkDir', (p) => this.enqueue(() => this.removeUnder(this.rel(p))));
    watcher.on('error', (err) => this.logger.error({ err, dir: this.dir }, 'config dir watch error'));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    await this.enqueue(() => this.initialLoad());
    this.isSynced = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.rereads.values()) clearTimeout(t);
    this.rereads.clear();
    await this.watcher?.close();
    await this.queue;
  }

  /** Current problems: of one file, or of all files (sorted by file). */
  errors(file?: string): ObjectValidationError[] {
    if (file !== undefined) return [...(this.fileErrors.get(file) ?? [])];
    return [...this.fileErrors.keys()].sort().flatMap((f) => this.fileErrors.get(f) ?? []);
  }

  /** Files with problems → their problems, for the debug surface. */
  errorsByFile(): Map<string, ObjectValidationError[]> {
    return new Map([...this.fileErrors.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  private rel(abs: string): string {
    return path.relative(this.dir, abs).split(path.sep).join('/');
  }

  private onFile(abs: string): void {
    if (!isConfigFile(abs)) return;
    const rel = this.rel(abs);
    // Re-read on every event (add, change, unlink alike): the file's state on disk when the
    // job runs is what counts. A read that catches a half-written file fails validation and
    // keeps the last good objects; the write's next change event fixes it.
    void this.enqueue(() => this.applyFile(rel));
    clearTimeout(this.rereads.get(rel));
    this.rereads.set(
      rel,
      setTimeout(() => {
        this.rereads.delete(rel);
        void this.enqueue(() => this.applyFile(rel, true));
      }, TRAILING_REREAD_MS),
    );
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.closed) await job();
    });
    this.queue = run.catch((err: unknown) => this.logger.error({ err }, 'config file processing failed'));
    return run;
  }

  private firstSeen = (key: ConfigKey): string => {
    const k = keyString(key);
    let t = this.firstSeenAt.get(k);
    if (t === undefined) {
      t = new Date().toISOString();
      this.firstSeenAt.set(k, t);
    }
    return t;
  };

  private async readParsed(rel: string): Promise<ParsedFile | undefined> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir, rel), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = parseConfigFile(text, rel, this.firstSeen);
    for (const s of parsed.skipped) this.logger.debug({ file: rel, doc: s.doc, kind: s.kind, apiVersion: s.apiVersion }, `skipping ${s.kind}: not modelled`);
    return parsed;
  }

  private async listFiles(dir: string): Promise<string[]> {
    const out: string[] = [];
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.')) out.push(...(await this.listFiles(abs)));
      } else if (e.isFile() && isConfigFile(abs)) out.push(this.rel(abs));
    }
    return out.sort();
  }

  /**
   * The whole directory at once: references are checked against every file, not file by
   * file, since a VirtualService may load before the DestinationRule it names. A file
   * rejected for its references drops its DestinationRules too, which may break another
   * file's references, so rejection repeats until nothing changes.
   */
  private async initialLoad(): Promise<void> {
    const candidates = new Map<string, AnyConfigObject[]>();
    for (const rel of await this.listFiles(this.dir)) {
      const parsed = await this.readParsed(rel);
      if (!parsed) continue;
      if (parsed.errors.length > 0) this.reject(rel, parsed.errors);
      else candidates.set(rel, parsed.objects);
    }
    for (let changed = true; changed; ) {
      changed = false;
      const overlay = new OverlayReader(this.store, [...this.good.values()].flat(), [...candidates.values()].flat());
      for (const [rel, objects] of candidates) {
        const errs = checkReferences(overlay, objects);
        if (errs.length === 0) continue;
        this.reject(rel, errs);
        this.refRejected.add(rel);
        candidates.delete(rel);
        changed = true;
      }
    }
    for (const [rel, objects] of [...candidates.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) this.accept(rel, objects);
    this.logger.info({ dir: this.dir, files: candidates.size, rejected: this.fileErrors.size }, 'config dir loaded');
  }

  /** `quiet`: a re-check, not a user's edit; errors already reported are not logged again. */
  private async applyFile(rel: string, quiet = false): Promise<void> {
    const parsed = await this.readParsed(rel);
    if (!parsed) {
      this.removeFile(rel);
      return;
    }
    if (parsed.errors.length > 0) {
      this.reject(rel, parsed.errors, quiet);
      return;
    }
    const overlay = new OverlayReader(this.store, this.good.get(rel) ?? [], parsed.objects);
    const refErrors = checkReferences(overlay, parsed.objects);
    if (refErrors.length > 0) {
      this.reject(rel, refErrors, quiet);
      this.refRejected.add(rel);
      return;
    }
    this.accept(rel, parsed.objects);
    // e.g. the DestinationRule defining a missing subset just arrived: retry the files
    // waiting on their references (quietly, if they still fail the same way).
    for (const waiting of [...this.refRejected].sort()) {
      if (waiting !== rel) void this.enqueue(() => this.applyFile(waiting, true));
    }
  }

  private accept(rel: string, objects: AnyConfigObject[]): void {
    this.refRejected.delete(rel);
    if (this.fileErrors.delete(rel)) this.logger.info({ file: rel }, `${rel}: fixed, applying`);
    if (objects.length === 0) this.good.delete(rel);
    else this.good.set(rel, objects);
    this.store.replace(rel, objects);
  }

  /** Logs one line per problem and keeps the file's last good objects in the store. */
  private reject(rel: string, errs: ObjectValidationError[], quietIfSame = false): void {
    const prev = this.fileErrors.get(rel);
    this.fileErrors.set(rel, errs);
    this.refRejected.delete(rel);
    const same = prev !== undefined && prev.length === errs.length && prev.every((e, i) => e.message === errs[i]?.message);
    if (quietIfSame && same) return;
    for (const e of errs) {
      const object = e.kind === '' ? undefined : `${e.namespace}/${e.name}`;
      this.logger.error({ file: rel, doc: e.origin.documentIndex, kind: e.kind || undefined, object, field: e.field || undefined }, e.message);
    }
  }

  private removeFile(rel: string): void {
    this.fileErrors.delete(rel);
    this.refRejected.delete(rel);
    this.good.delete(rel);
    this.store.replace(rel, []);
  }

  private async removeUnder(relDir: string): Promise<void> {
    const prefix = relDir === '' ? '' : `${relDir}/`;
    for (const rel of new Set([...this.good.keys(), ...this.fileErrors.keys()])) {
      if (rel.startsWith(prefix)) this.removeFile(rel);
    }
  }
}
