// Sidecar inbound, walked like Envoy: a connection iptables redirected to 15006, with its
// original destination port, through virtualInbound's filter chains to a cluster. The
// shared simulator models outbound capture, so inboundView() presents virtualInbound to
// it as the capture listener and lifts each inline route config into an RDS resource.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TypeUrl, type Resource } from '../../src/translate/api.js';
import { simulate } from '../support/simulator.js';
import { runCase } from '../golden/harness.js';

const input = readFileSync(new URL('../golden/testdata/inbound-bookinfo.in.yaml', import.meta.url), 'utf8');
const { outputs } = runCase(input);

function resourcesOf(name: string): Resource[] {
  const o = outputs.find((x) => x.spec.name === name);
  if (!o) throw new Error(`no proxy ${name}`);
  return o.out.resources;
}

type Json = Record<string, unknown>;

function inboundView(resources: readonly Resource[]): Resource[] {
  const vi = resources.find((r) => r.typeUrl === TypeUrl.Listener && r.name === 'virtualInbound');
  if (!vi) throw new Error('no virtualInbound');
  const lifted: Resource[] = [];
  const chains = (vi.body['filterChains'] as Json[]).map((fc) => ({
    ...fc,
    filters: (fc['filters'] as Json[]).map((f) => {
      const cfg = f['typedConfig'] as Json;
      const rc = cfg['routeConfig'] as Json | undefined;
      if (!rc) return f;
      lifted.push({ name: String(rc['name']), typeUrl: TypeUrl.RouteConfiguration, body: rc });
      const { routeConfig: _inline, ...rest } = cfg;
      return { ...f, typedConfig: { ...rest, rds: { routeConfigName: rc['name'] } } };
    }),
  }));
  const listener: Resource = { ...vi, body: { ...vi.body, filterChains: chains, trafficDirection: 'OUTBOUND' } };
  return [listener, ...lifted];
}

function cluster(resources: readonly Resource[], name: string): Json {
  const c = resources.find((r) => r.typeUrl === TypeUrl.Cluster && r.name === name);
  if (!c) throw new Error(`no cluster ${name}`);
  return c.body;
}

describe('sidecar inbound (reviews-v1)', () => {
  const res = resourcesOf('reviews-v1');
  const view = inboundView(res);

  it('an HTTP request arriving on 15006 for port 9080 lands on inbound|9080||', () => {
    const r = simulate(view, { port: 9080, destinationIp: '10.1.0.21', host: 'reviews.default.svc.cluster.local:9080', path: '/reviews/1' });
    expect(r).toMatchObject({ listener: 'virtualInbound', filterChain: '0.0.0.0_9080', kind: 'http', routeConfig: 'inbound|9080||', virtualHost: 'inbound|http|9080', route: 'default', cluster: 'inbound|9080||' });
  });

  it('any Host header is accepted inbound (domains *)', () => {
    expect(simulate(view, { port: 9080, host: 'anything.example', path: '/' }).cluster).toBe('inbound|9080||');
  });

  it('a TCP service target port is proxied to its inbound cluster', () => {
    expect(simulate(view, { port: 9090, destinationIp: '10.1.0.21' })).toMatchObject({ filterChain: '0.0.0.0_9090', kind: 'tcp', cluster: 'inbound|9090||' });
  });

  it('a port no service declares passes through; 15006 itself is blackholed', () => {
    expect(simulate(view, { port: 7777 })).toMatchObject({ filterChain: 'virtualInbound', kind: 'tcp', cluster: 'InboundPassthroughCluster' });
    expect(simulate(view, { port: 15006 })).toMatchObject({ filterChain: 'virtualInbound-blackhole', cluster: 'BlackHoleCluster' });
  });

  it('inbound clusters forward to the original destination from 127.0.0.6 (Istio 1.10+ default)', () => {
    const c = cluster(res, 'inbound|9080||');
    expect(c).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED', upstreamBindConfig: { sourceAddress: { address: '127.0.0.6', portValue: 0 } } });
    expect(c['loadAssignment']).toBeUndefined();
    expect(cluster(res, 'InboundPassthroughCluster')).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
  });

  it('the listener is virtualInbound on 0.0.0.0:15006 with useOriginalDst', () => {
    const vi = res.find((r) => r.name === 'virtualInbound')!.body;
    expect(vi).toMatchObject({ address: { socketAddress: { address: '0.0.0.0', portValue: 15006 } }, useOriginalDst: true, trafficDirection: 'INBOUND' });
  });
});

describe('Sidecar ingress (ratings-v1)', () => {
  const res = resourcesOf('ratings-v1');
  const view = inboundView(res);

  it('replaces the service ports: 9080 to a STATIC 127.0.0.1:8081, 9443 to the pod IP', () => {
    expect(simulate(view, { port: 9080, host: 'ratings', path: '/' }).cluster).toBe('inbound|9080||');
    expect(cluster(res, 'inbound|9080||')).toMatchObject({
      type: 'STATIC',
      loadAssignment: { endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: 8081 } } } }] }] },
    });
    expect(cluster(res, 'inbound|9080||')['upstreamBindConfig']).toBeUndefined();
    expect(simulate(view, { port: 9443 })).toMatchObject({ kind: 'tcp', cluster: 'inbound|9443||' });
    expect(cluster(res, 'inbound|9443||')).toMatchObject({
      type: 'STATIC',
      upstreamBindConfig: { sourceAddress: { address: '127.0.0.6' } },
      loadAssignment: { endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.1.0.31', portValue: 9443 } } } }] }] },
    });
  });
});

describe('no inbound for proxyless gRPC', () => {
  it('has no virtualInbound and no inbound clusters', () => {
    const res = resourcesOf('grpc-client');
    expect(res.some((r) => r.name === 'virtualInbound' || r.name.startsWith('inbound|') || r.name === 'InboundPassthroughCluster')).toBe(false);
  });
});
