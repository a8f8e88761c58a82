// Shared by the Kubernetes source tests: a fake API server with a kubeconfig for it, a
// logger whose lines can be inspected, polling, and one valid object of every watched kind.
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { FakeApiServer, kubeconfigYaml, standardResources, type FakeResource } from '../../support/fake-apiserver.js';

export async function startFake(resources: FakeResource[] = standardResources(), opts: { historySize?: number } = {}): Promise<FakeApiServer> {
  const fake = new FakeApiServer(resources, { ...opts, token: 'test-token' });
  await fake.start();
  return fake;
}

export function kubeConfigFor(fake: FakeApiServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(fake.url));
  return kc;
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A logger at debug level that keeps every line, parsed. */
export function captureLogger(): { logger: Logger; lines: LogLine[]; errors(): LogLine[]; warnings(): LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  const logger = pino({ level: process.env.KUBE_TEST_LOG ?? 'debug' }, stream);
  return { logger, lines, errors: () => lines.filter((l) => l.level === 50), warnings: () => lines.filter((l) => l.level === 40) };
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fast retries so that reconnect tests take milliseconds, not seconds. */
export const FAST = { backoff: { initialMs: 20, maxMs: 200 }, rediscoverMs: 100, pageSize: 2, watchTimeoutSeconds: 30 };

const meta = (name: string, namespace = 'default', labels?: Record<string, string>) => ({ name, namespace, ...(labels ? { labels } : {}) });

/** One valid object of each kind (apiVersion, kind, metadata, body). */
export function sampleObjects(ns = 'default'): Record<string, any>[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: meta('reviews', ns, { app: 'reviews' }), spec: { clusterIP: '10.96.0.12', ports: [{ name: 'http', port: 9080, targetPort: 9080 }], selector: { app: 'reviews' } } },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('reviews-abc', ns, { 'kubernetes.io/service-name': 'reviews' }),
      addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.21'], conditions: { ready: true } }], ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
    },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: meta('reviews-v1', ns, { app: 'reviews', version: 'v1' }),
      spec: { containers: [{ name: 'reviews', image: 'x', ports: [{ containerPort: 9080 }] }] },
      status: { phase: 'Running', podIP: '10.1.0.21', podIPs: [{ ip: '10.1.0.21' }], conditions: [{ type: 'Ready', status: 'True' }] },
    },
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta('reviews', ns), spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta('reviews', ns), spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: meta('gw', ns),
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta('ext', ns),
      spec: { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL' },
    },
    { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: meta('vm-1', ns), spec: { address: '10.2.0.5', labels: { app: 'reviews' } } },
    { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: meta('default', ns), spec: { egress: [{ hosts: ['./*'] }] } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default', ns), spec: { mtls: { mode: 'STRICT' } } },
    { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta('allow', ns), spec: { action: 'ALLOW', rules: [{}] } },
    { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: meta('jwt', ns), spec: { jwtRules: [{ issuer: 'https://issuer.example.com' }] } },
  ];
}
