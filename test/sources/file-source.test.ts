import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigEvent } from '../../src/model/config.js';
import { MemoryConfigStore } from '../../src/model/config-store.js';
import { FileSource } from '../../src/sources/file/file-source.js';
import { captureLogger, waitFor, type LogLine } from '../model/helpers.js';

const DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets:
  - { name: v1, labels: { version: v1 } }
`;
const vs = (subset: string, weight: string | number = 100) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: { host: reviews, subset: ${subset} }
      weight: ${weight}
`;
const SVC = `apiVersion: v1
kind: Service
metadata: { name: ratings }
spec:
  ports: [{ name: http, port: 9080 }]
`;

let dir: string;
let store: MemoryConfigStore;
let events: ConfigEvent[];
let lines: LogLine[];
let source: FileSource | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mini-istiod-fs-'));
  store = new MemoryConfigStore();
  events = [];
  store.subscribe((e) => events.push(...e));
  lines = [];
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<FileSource> {
  const cap = captureLogger();
  lines = cap.lines;
  source = new FileSource({ dir, store, logger: cap.logger });
  await source.start();
  events.length = 0; // only what happens after the initial load
  return source;
}

const errorLines = () => lines.filter((l) => l.level === 50);
const hosts = () => store.get('VirtualService', 'default', 'reviews')?.spec.http?.[0]?.route?.[0]?.destination.subset;

describe('FileSource', () => {
  it('initial load: recursive, sorted, multi-document, List, cross-file references', async () => {
    await mkdir(path.join(dir, 'nested'));
    // The VirtualService file sorts before the DestinationRule it needs.
    await writeFile(path.join(dir, 'a-vs.yaml'), vs('v1'));
    await writeFile(path.join(dir, 'nested', 'z-dr.yml'), `---\n${DR}---\n\n---\napiVersion: v1\nkind: List\nitems:\n- ${JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: { ports: [{ port: 9080 }] } })}\n`);
    await writeFile(path.join(dir, 'svc.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ratings' }, spec: {} }));
    await writeFile(path.join(dir, 'notes.txt'), 'not config');
    const src = await start();
    expect(src.synced).toBe(true);
    expect(store.list('Service').map((s) => s.metadata.name)).toEqual(['ratings', 'reviews']);
    expect(store.get('DestinationRule', 'default', 'reviews')?.origin).toEqual({ source: 'file', location: 'nested/z-dr.yml', documentIndex: 0 });
    expect(hosts()).toBe('v1');
    expect(src.errors()).toEqual([]);
  });

  it('add, edit, remove a file → events', async () => {
    await start();
    const file = path.join(dir, 'svc.yaml');
    await writeFile(file, SVC);
    await waitFor(() => events.some((e) => e.type === 'add'), 3000, 'add');
    expect(events).toEqual([{ type: 'add', kind: 'Service', namespace: 'default', name: 'ratings' }]);
    const created = store.get('Service', 'default', 'ratings')?.metadata.creationTimestamp;

    await writeFile(file, SVC.replace('9080', '9081'));
    await waitFor(() => events.length === 2, 3000, 'update');
    expect(events[1]?.type).toBe('update');
    // First-seen time is kept across reloads, so Istio's creation order does not flip.
    expect(store.get('Service', 'default', 'ratings')?.metadata.creationTimestamp).toBe(created);

    await rm(file);
    await waitFor(() => events.length === 3, 3000, 'delete');
    expect(events[2]?.type).toBe('delete');
    expect(store.list('Service')).toEqual([]);
  });

  it('broken YAML keeps the last good objects and logs one line naming file and position', async () => {
    await writeFile(path.join(dir, 'r.yaml'), `${DR}---\n${vs('v1')}`);
    const src = await start();
    await writeFile(path.join(dir, 'r.yaml'), `${DR}---\nkind: [unclosed\n`);
    await waitFor(() => errorLines().length > 0, 3000, 'error log');
    expect(errorLines()).toHaveLength(1);
    expect(errorLines()[0]?.msg).toMatch(/^r\.yaml\[doc 1\]: YAML syntax error: line \d+, col \d+: /);
    expect(errorLines()[0]?.file).toBe('r.yaml');
    expect(hosts()).toBe('v1');
    expect(src.errors('r.yaml')).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('unknown field and wrong type: one line per problem naming file, doc, object and field', async () => {
    await writeFile(path.join(dir, 'r.yaml'), `${DR}---\n${vs('v1')}`);
    await start();
    await writeFile(path.join(dir, 'r.yaml'), `${DR}---\n${vs('v1', '"100"').replace('weight:', 'weigth: 1\n      weight:')}`);
    await waitFor(() => errorLines().length >= 2, 3000, 'error logs');
    await new Promise((r) => setTimeout(r, 50));
    expect(errorLines().map((l) => l.msg).sort()).toEqual([
      'r.yaml[doc 1] VirtualService default/reviews: spec.http[0].route[0].weight: expected number, got string',
      'r.yaml[doc 1] VirtualService default/reviews: spec.http[0].route[0].weigth: unknown field "weigth"',
    ]);
    expect(errorLines()[0]).toMatchObject({ file: 'r.yaml', doc: 1, kind: 'VirtualService', object: 'default/reviews' });
    expect(hosts()).toBe('v1');
    expect(events).toEqual([]);
  });

  it('a VirtualService naming a missing subset is rejected; fixing the file applies it', async () => {
    await writeFile(path.join(dir, 'dr.yaml'), DR);
    await writeFile(path.join(dir, 'vs.yaml'), vs('v1'));
    const src = await start();
    await writeFile(path.join(dir, 'vs.yaml'), vs('v9'));
    await waitFor(() => errorLines().length > 0, 3000, 'error log');
    expect(errorLines().map((l) => [l.msg, l.field])).toEqual([[
      'vs.yaml[doc 0] VirtualService default/reviews: spec.http[0].route[0].destination.subset: subset "v9" not found in any DestinationRule for host reviews.default.svc.cluster.local',
      'spec.http[0].route[0].destination.subset',
    ]]);
    expect(hosts()).toBe('v1');
    expect(src.errors()).toHaveLength(1);

    // Fixing the VirtualService file applies it.
    await writeFile(path.join(dir, 'vs.yaml'), vs('v1', 100).replace('weight: 100', 'weight: 100\n    timeout: 5s'));
    await waitFor(() => events.length === 1, 3000, 'vs applied');
    expect(src.errors()).toEqual([]);
    expect(store.get('VirtualService', 'default', 'reviews')?.spec.http?.[0]?.timeout).toBe('5s');
  });

  it('a file rejected for a missing subset applies once another file defines it', async () => {
    await writeFile(path.join(dir, 'dr.yaml'), DR);
    await writeFile(path.join(dir, 'vs.yaml'), vs('v1'));
    const src = await start();
    await writeFile(path.join(dir, 'vs.yaml'), vs('v9'));
    await waitFor(() => errorLines().length > 0, 3000, 'error log');
    await writeFile(path.join(dir, 'dr.yaml'), `${DR}  - { name: v9, labels: { version: v9 } }\n`);
    await waitFor(() => hosts() === 'v9', 3000, 'vs applied');
    expect(src.errors()).toEqual([]);
    expect(errorLines()).toHaveLength(1);
  });

  it('a burst of writes faster than chokidar reports still ends with the last content', async () => {
    await writeFile(path.join(dir, 'svc.yaml'), SVC);
    await start();
    await writeFile(path.join(dir, 'svc.yaml'), SVC.replace('9080', '1'));
    await writeFile(path.join(dir, 'svc.yaml'), SVC.replace('9080', '2'));
    await writeFile(path.join(dir, 'svc.yaml'), SVC.replace('9080', '3'));
    await waitFor(() => store.get('Service', 'default', 'ratings')?.spec.ports?.[0]?.port === 3, 3000, 'last write');
  });

  it('an initially broken file stores nothing and reports its error', async () => {
    await writeFile(path.join(dir, 'vs.yaml'), vs('v1'));
    await writeFile(path.join(dir, 'widget.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n');
    const src = await start();
    expect(store.list('VirtualService')).toEqual([]);
    expect(src.errors().map((e) => e.message)).toEqual([
      'vs.yaml[doc 0] VirtualService default/reviews: spec.http[0].route[0].destination.subset: subset "v1" not found in any DestinationRule for host reviews.default.svc.cluster.local',
      'widget.yaml[doc 0] Widget default/w: kind: unknown kind "Widget" (apiVersion "example.com/v1")',
    ]);
  });
});
