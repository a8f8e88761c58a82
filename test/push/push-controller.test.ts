// PushController: full vs EDS-only pushes, debouncing, one push at a time, metrics.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Metrics } from '../../src/metrics.js';
import type { ConfigEvent, Kind } from '../../src/model/config.js';
import type { ConfigStore, ConfigStoreReader } from '../../src/model/store.js';
import { DEFAULT_MESH_CONFIG } from '../../src/push/push-context.js';
import type { MeshConfig, PushContext } from '../../src/push/push-context.js';
import { PushController } from '../../src/push/push-controller.js';
import type { PushBuilder, PushScope, PushTarget } from '../../src/push/push-controller.js';

function fakeStore(): ConfigStore & { emit(events: ConfigEvent[]): void } {
  const listeners = new Set<(e: readonly ConfigEvent[]) => void>();
  return {
    list: () => [],
    get: () => undefined,
    replace: () => [],
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(events) {
      for (const l of listeners) l(events);
    },
  };
}
const ev = (kind: Kind, name = 'x'): ConfigEvent => ({ kind, namespace: 'default', name, type: 'update' });

function ctx(version: string, services = 0): PushContext {
  return {
    version,
    mesh: DEFAULT_MESH_CONFIG,
    services: Array.from({ length: services }, () => ({}) as never),
    serviceByHost: new Map(),
    endpointsByHost: new Map(),
    virtualServicesByHost: new Map(),
    destinationRuleByHost: new Map(),
  };
}

class FakeBuilder implements PushBuilder {
  full: string[] = [];
  eds: string[] = [];
  changedHosts: string[] = ['a.default.svc.cluster.local'];
  buildPushContext(_s: ConfigStoreReader, _m: MeshConfig, version: string): PushContext {
    this.full.push(version);
    return ctx(version, 3);
  }
  updateEndpoints(prev: PushContext, _s: ConfigStoreReader, version: string): { push: PushContext; changedHosts: Set<string> } {
    this.eds.push(version);
    return { push: { ...prev, version }, changedHosts: new Set(this.changedHosts) };
  }
}

class FakeTarget implements PushTarget {
  pushes: { version: string; scope: PushScope; triggeredAt: number | undefined }[] = [];
  /** When set, push() waits for release() (a slow push). */
  gate: Promise<void> | undefined;
  release: () => void = () => {};
  hold(): void {
    this.gate = new Promise((r) => (this.release = r));
  }
  async push(push: PushContext, scope: PushScope, triggeredAt?: number): Promise<void> {
    this.pushes.push({ version: push.version, scope, triggeredAt });
    if (this.gate) await this.gate;
  }
  edsClustersForHosts(hosts: Iterable<string>): Set<string> {
    return new Set([...hosts].map((h) => `outbound|80||${h}`));
  }
}

let store: ReturnType<typeof fakeStore>;
let builder: FakeBuilder;
let target: FakeTarget;
let metrics: Metrics;
let controller: PushController;

beforeEach(async () => {
  vi.useFakeTimers({ now: 1_000_000 });
  store = fakeStore();
  builder = new FakeBuilder();
  target = new FakeTarget();
  metrics = new Metrics({ processDefaults: false });
  controller = new PushController({ store, server: target, builder, metrics, logger: pino({ level: 'silent' }) });
  await controller.start();
});
afterEach(async () => {
  target.release();
  await controller.stop();
  vi.useRealTimers();
});

describe('PushController', () => {
  it('starts with a full push of the store as loaded, and sets pilot_services', async () => {
    expect(target.pushes).toHaveLength(1);
    expect(target.pushes[0]!.scope).toEqual({ kind: 'full' });
    expect(target.pushes[0]!.version).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\/1$/);
    expect((await metrics.registry.getSingleMetric('pilot_services')!.get()).values[0]!.value).toBe(3);
  });

  it('debounces a burst into one full push timed from its first event', async () => {
    store.emit([ev('VirtualService')]);
    await vi.advanceTimersByTimeAsync(50);
    store.emit([ev('DestinationRule'), ev('Service')]);
    await vi.advanceTimersByTimeAsync(99);
    expect(target.pushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(target.pushes).toHaveLength(2);
    expect(target.pushes[1]).toMatchObject({ scope: { kind: 'full' }, triggeredAt: 1_000_000 });
    expect(builder.full).toHaveLength(2);
    const debounce = await metrics.registry.getSingleMetric('pilot_debounce_time')!.get();
    const sum = debounce.values.find((v) => (v as { metricName?: string }).metricName === 'pilot_debounce_time_sum');
    expect(sum!.value).toBeCloseTo(0.15);
  });

  it('pushes EDS only, for the changed hosts clusters, when every event is an endpoint kind', async () => {
    store.emit([ev('EndpointSlice'), ev('Endpoints'), ev('Pod')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(builder.eds).toHaveLength(1);
    expect(builder.full).toHaveLength(1); // only the initial one
    // The hosts go along: the server refreshes CDS/LDS of the proxies their endpoints reach.
    expect(target.pushes[1]!.scope).toEqual({
      kind: 'eds',
      clusters: new Set(['outbound|80||a.default.svc.cluster.local']),
      hosts: new Set(['a.default.svc.cluster.local']),
    });
    expect(controller.lastPush()).toMatchObject({ kind: 'eds', changedHosts: ['a.default.svc.cluster.local'], events: 3 });
  });

  it('does a full push when an endpoint event is merged with any other kind', async () => {
    store.emit([ev('EndpointSlice')]);
    store.emit([ev('VirtualService')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(builder.eds).toHaveLength(0);
    // The batch's objects go along, so the server can skip what they cannot affect.
    expect(target.pushes[1]!.scope).toEqual({
      kind: 'full',
      changed: [
        { kind: 'EndpointSlice', namespace: 'default', name: 'x' },
        { kind: 'VirtualService', namespace: 'default', name: 'x' },
      ],
    });
  });

  it('passes each changed object once, however many events it had', async () => {
    store.emit([ev('VirtualService', 'a'), ev('VirtualService', 'a'), ev('DestinationRule', 'a')]);
    await vi.advanceTimersByTimeAsync(100);
    const scope = target.pushes[1]!.scope;
    expect(scope.kind === 'full' && scope.changed?.map((k) => `${k.kind}/${k.name}`)).toEqual(['VirtualService/a', 'DestinationRule/a']);
  });

  it('skips the push when endpoint events changed no endpoints', async () => {
    builder.changedHosts = [];
    store.emit([ev('Pod')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(target.pushes).toHaveLength(1);
  });

  it('does not wait for delivery: the next batch is pushed while the server still delivers (its queue merges)', async () => {
    target.hold();
    store.emit([ev('VirtualService', 'a')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(target.pushes).toHaveLength(2); // handed over, delivery held
    store.emit([ev('VirtualService', 'b')]);
    await vi.advanceTimersByTimeAsync(200);
    expect(target.pushes).toHaveLength(3);
    let idle = false;
    void controller.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(false); // idle() waits for delivery
    target.gate = undefined;
    target.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(true);
    expect(controller.lastPush()).toMatchObject({ kind: 'full', events: 1 });
  });

  it('keeps the previous PushContext when building fails', async () => {
    const before = controller.current();
    builder.buildPushContext = () => {
      throw new Error('boom');
    };
    store.emit([ev('VirtualService')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(controller.current()).toBe(before);
    expect(target.pushes).toHaveLength(1);
  });

  it('after a failed build, the next batch is a full push of everything even if it only moves endpoints', async () => {
    const build = builder.buildPushContext.bind(builder);
    builder.buildPushContext = () => {
      throw new Error('boom');
    };
    store.emit([ev('VirtualService')]);
    await vi.advanceTimersByTimeAsync(100);
    builder.buildPushContext = build;
    store.emit([ev('Pod')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(builder.eds).toHaveLength(0);
    // The failed batch's VirtualService must reach RDS: no `changed` narrowing it to [Pod].
    expect(target.pushes.map((p) => p.scope)).toEqual([{ kind: 'full' }, { kind: 'full' }]);
    store.emit([ev('Pod')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(target.pushes[2]!.scope.kind).toBe('eds'); // back to normal once it succeeded
  });
});
