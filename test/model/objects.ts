// Builders for validated objects in tests (run through the real schemas).
import type { AnyConfigObject, ConfigObject, Kind } from '../../src/model/config.js';
import { parseObject } from '../../src/model/schemas/index.js';

const API: Record<Kind, string> = {
  Service: 'v1', Endpoints: 'v1', Pod: 'v1', EndpointSlice: 'discovery.k8s.io/v1',
  VirtualService: 'networking.istio.io/v1', DestinationRule: 'networking.istio.io/v1',
  ServiceEntry: 'networking.istio.io/v1', WorkloadEntry: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1', Sidecar: 'networking.istio.io/v1',
};

export function obj<K extends Kind>(
  kind: K,
  name: string,
  body: Record<string, unknown>,
  meta: Record<string, unknown> = {},
  ts = '2024-01-01T00:00:00.000Z',
): ConfigObject<K> {
  const o = parseObject(
    { apiVersion: API[kind], kind, metadata: { name, ...meta }, ...body },
    { source: 'test', location: `${kind}/${name}` },
    () => ts,
  );
  if (!o || o.kind !== kind) throw new Error('builder failed');
  return o as ConfigObject<K>;
}

export function pod(name: string, labels: Record<string, string>, ip: string, ports: { name?: string; containerPort: number }[] = [], ns = 'default') {
  return obj('Pod', name, { spec: { containers: [{ name: 'c', ports }] }, status: { phase: 'Running', podIP: ip } }, { labels, namespace: ns });
}

export type { AnyConfigObject };
