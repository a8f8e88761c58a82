import { describe, expect, it } from 'vitest';
import { MemoryConfigStore } from '../../src/model/config-store.js';
import { inferPortProtocol } from '../../src/model/protocol.js';
import { buildRegistry } from '../../src/model/registry.js';
import { obj, pod } from './objects.js';

const HOST = 'reviews.default.svc.cluster.local';

function reviewsService(targetPort: number | string = 'http-web') {
  return obj('Service', 'reviews', { spec: { clusterIP: '10.96.0.20', selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080, targetPort }] } });
}

function storeWith(...objs: Parameters<MemoryConfigStore['replace']>[1]) {
  const s = new MemoryConfigStore();
  s.replace('test', objs);
  return s;
}

const brief = (eps: { address: string; port: number; healthy: boolean }[] | undefined) => eps?.map((e) => `${e.address}:${e.port}${e.healthy ? '' : '!'}`);

describe('Kubernetes services', () => {
  it('derives the service: hostname, addresses, ports, selector', () => {
    const { services } = buildRegistry(storeWith(reviewsService()));
    expect(services).toEqual([{
      hostname: HOST, name: 'reviews', namespace: 'default', addresses: ['10.96.0.20'],
      ports: [{ name: 'http', port: 9080, targetPort: 'http-web', protocol: 'HTTP' }],
      labels: {}, selector: { app: 'reviews' }, resolution: 'STATIC', location: 'MESH_INTERNAL', exportTo: ['*'], origin: 'kubernetes',
    }]);
  });

  it('pods → endpoints with a named targetPort; pods lacking the name, not running or unselected are left out', () => {
    const store = storeWith(
      reviewsService(),
      pod('v1', { app: 'reviews', version: 'v1', 'topology.kubernetes.io/zone': 'z1' }, '10.0.0.2', [{ name: 'http-web', containerPort: 8080 }]),
      pod('v2', { app: 'reviews', version: 'v2' }, '10.0.0.1', [{ name: 'other', containerPort: 9000 }]),
      pod('x', { app: 'ratings' }, '10.0.0.3', [{ name: 'http-web', containerPort: 8080 }]),
      obj('Pod', 'pending', { spec: { containers: [{ name: 'c', ports: [{ name: 'http-web', containerPort: 8080 }] }] }, status: { phase: 'Pending', podIP: '10.0.0.4' } }, { labels: { app: 'reviews' } }),
    );
    const eps = buildRegistry(store).endpointsByHost.get(HOST);
    expect(eps).toEqual([{
      address: '10.0.0.2', port: 8080, servicePortName: 'http', labels: { app: 'reviews', version: 'v1', 'topology.kubernetes.io/zone': 'z1' },
      locality: { region: '', zone: 'z1', subZone: '' }, weight: 1, healthy: true, workloadName: 'v1', namespace: 'default',
    }]);
  });

  it('numeric and absent targetPort', () => {
    const svc = obj('Service', 'reviews', { spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080, targetPort: 9999 }, { name: 'tcp', port: 7000 }] } });
    const eps = buildRegistry(storeWith(svc, pod('p', { app: 'reviews' }, '10.0.0.1'))).endpointsByHost.get(HOST);
    expect(eps?.map((e) => `${e.servicePortName}:${e.port}`)).toEqual(['tcp:7000', 'http:9999']);
  });

  it('Endpoints override pods; EndpointSlices override Endpoints', () => {
    const p = pod('v1', { app: 'reviews', version: 'v1' }, '10.0.0.2', [{ name: 'http-web', containerPort: 8080 }]);
    const endpoints = obj('Endpoints', 'reviews', {
      subsets: [{ addresses: [{ ip: '10.1.0.1', targetRef: { kind: 'Pod', name: 'v1' } }], notReadyAddresses: [{ ip: '10.1.0.2' }], ports: [{ name: 'http', port: 8081 }] }],
    });
    const slice = obj('EndpointSlice', 'reviews-abc', {
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.2.0.1'], zone: 'zs' }, { addresses: ['10.2.0.2'], conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'v1' } }],
      ports: [{ name: 'http', port: 8082 }],
    }, { labels: { 'kubernetes.io/service-name': 'reviews' } });

    expect(brief(buildRegistry(storeWith(reviewsService(), p)).endpointsByHost.get(HOST))).toEqual(['10.0.0.2:8080']);
    const withEp = buildRegistry(storeWith(reviewsService(), p, endpoints)).endpointsByHost.get(HOST);
    expect(brief(withEp)).toEqual(['10.1.0.1:8081', '10.1.0.2:8081!']);
    expect(withEp?.[0]?.labels).toEqual({ app: 'reviews', version: 'v1' });
    expect(withEp?.[1]?.labels).toEqual({});
    const withSlice = buildRegistry(storeWith(reviewsService(), p, endpoints, slice)).endpointsByHost.get(HOST);
    expect(brief(withSlice)).toEqual(['10.2.0.1:8082', '10.2.0.2:8082!']);
    expect(withSlice?.[0]?.locality.zone).toBe('zs');
    expect(withSlice?.[1]?.labels.version).toBe('v1');
  });

  it('a Kubernetes selector also selects WorkloadEntries', () => {
    const we = obj('WorkloadEntry', 'vm1', { spec: { address: '192.168.1.5', labels: { app: 'reviews' }, ports: { http: 19080 }, locality: 'r1/z1/s1', weight: 3 } });
    const eps = buildRegistry(storeWith(reviewsService(), we)).endpointsByHost.get(HOST);
    expect(eps).toEqual([{
      address: '192.168.1.5', port: 19080, servicePortName: 'http', labels: { app: 'reviews' },
      locality: { region: 'r1', zone: 'z1', subZone: 's1' }, weight: 3, healthy: true, workloadName: 'vm1', namespace: 'default',
    }]);
  });

  it('headless and ExternalName services', () => {
    const headless = obj('Service', 'db', { spec: { clusterIP: 'None', ports: [{ name: 'mysql', port: 3306 }] } });
    const ext = obj('Service', 'ext', { spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ name: 'tcp', port: 5432 }] } });
    const reg = buildRegistry(storeWith(headless, ext));
    expect(reg.services.map((s) => [s.hostname, s.addresses, s.resolution, s.location])).toEqual([
      ['db.default.svc.cluster.local', [], 'NONE', 'MESH_INTERNAL'],
      ['ext.default.svc.cluster.local', [], 'DNS', 'MESH_EXTERNAL'],
    ]);
    expect(brief(reg.endpointsByHost.get('ext.default.svc.cluster.local'))).toEqual(['db.example.com:5432']);
  });
});

describe('ServiceEntries', () => {
  it('one service per host; inline endpoints map ports by name', () => {
    const se = obj('ServiceEntry', 'ext', {
      spec: {
        hosts: ['a.example.com', 'b.example.com'], addresses: ['240.0.0.1'], resolution: 'STATIC', location: 'MESH_INTERNAL',
        ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'tls', protocol: 'TLS', targetPort: 8443 }],
        endpoints: [{ address: '1.1.1.1', ports: { http: 8080 }, labels: { v: '1' } }],
      },
    });
    const reg = buildRegistry(storeWith(se));
    expect(reg.services.map((s) => [s.hostname, s.origin, s.resolution, s.ports.map((p) => p.protocol)])).toEqual([
      ['a.example.com', 'serviceentry', 'STATIC', ['HTTP', 'TLS']],
      ['b.example.com', 'serviceentry', 'STATIC', ['HTTP', 'TLS']],
    ]);
    expect(brief(reg.endpointsByHost.get('b.example.com'))).toEqual(['1.1.1.1:8080', '1.1.1.1:8443']);
  });

  it('workloadSelector picks WorkloadEntries in its namespace', () => {
    const se = obj('ServiceEntry', 'vms', { spec: { hosts: ['vm.internal'], resolution: 'STATIC', ports: [{ number: 80, name: 'http' }], workloadSelector: { labels: { app: 'vm' } } } }, { namespace: 'apps' });
    const we1 = obj('WorkloadEntry', 'vm1', { spec: { address: '10.9.0.1', labels: { app: 'vm' } } }, { namespace: 'apps' });
    const we2 = obj('WorkloadEntry', 'vm2', { spec: { address: '10.9.0.2', labels: { app: 'vm' } } }, { namespace: 'other' });
    expect(brief(buildRegistry(storeWith(se, we1, we2)).endpointsByHost.get('vm.internal'))).toEqual(['10.9.0.1:80']);
  });

  it('DNS without endpoints resolves the host itself', () => {
    const se = obj('ServiceEntry', 'httpbin', { spec: { hosts: ['httpbin.org'], resolution: 'DNS', ports: [{ number: 443, name: 'https', protocol: 'TLS' }] } });
    const reg = buildRegistry(storeWith(se));
    expect(reg.services[0]?.location).toBe('MESH_EXTERNAL');
    expect(brief(reg.endpointsByHost.get('httpbin.org'))).toEqual(['httpbin.org:443']);
  });
});

describe('protocols', () => {
  it('follows Istio: UDP, appProtocol, then the name prefix; unknown is TCP', () => {
    const p = (name?: string, appProtocol?: string, protocol?: string) => inferPortProtocol({ name, appProtocol, protocol });
    expect([p('http'), p('http-foo'), p('HTTP2'), p('grpc'), p('grpc-web-x'), p('https'), p('tls'), p('tcp-db'), p('mongo'), p('redis'), p('mysql'), p('udp')]).toEqual(
      ['HTTP', 'HTTP', 'HTTP2', 'GRPC', 'GRPC-Web', 'HTTPS', 'TLS', 'TCP', 'MONGO', 'REDIS', 'MYSQL', 'UDP'],
    );
    expect(p('tcp', 'http')).toBe('HTTP');
    expect(p('x', 'kubernetes.io/h2c')).toBe('HTTP2');
    expect(p('http', undefined, 'UDP')).toBe('UDP');
    expect([p(), p('web'), p('httpx')]).toEqual(['TCP', 'TCP', 'TCP']);
  });
});
