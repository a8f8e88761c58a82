// examples/kubernetes is checked, not just written: every manifest against the Kubernetes
// object schemas (kubernetes-models), the RBAC against what the source really watches, and
// the sidecar's Envoy bootstrap against Envoy's protos and validate rules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { validateMessage } from '../../../src/envoy/validate.js';
import { WATCHED_KINDS } from '../../../src/sources/kube/resources.js';

const DIR = fileURLToPath(new URL('../../../examples/kubernetes/', import.meta.url));

function docs(file: string): Record<string, any>[] {
  return parseAllDocuments(readFileSync(DIR + file, 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Record<string, any>;
  });
}

/** kind → the kubernetes-models class that validates it. */
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  Namespace, ServiceAccount, ConfigMap, Service, Deployment, ClusterRole, ClusterRoleBinding,
};

const all = [...docs('mini-istiod.yaml'), ...docs('productpage-sidecar.yaml')];
const find = (kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name)!;

describe('examples/kubernetes', () => {
  it.each(all.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))('%s is a valid Kubernetes object', (_name, obj) => {
    const Model = MODELS[obj.kind];
    expect(Model, `no model for ${obj.kind}`).toBeDefined();
    expect(() => new Model!(obj).validate()).not.toThrow();
  });

  it('the ClusterRole grants get/list/watch on exactly what the source watches', () => {
    const role = find('ClusterRole', 'mini-istiod');
    const granted = role.rules.flatMap((r: any) => {
      expect([...r.verbs].sort()).toEqual(['get', 'list', 'watch']);
      return r.apiGroups.flatMap((g: string) => r.resources.map((res: string) => `${g}/${res}`));
    });
    const watched = WATCHED_KINDS.map((k) => `${k.group}/${k.resource}`);
    expect([...granted].sort()).toEqual([...watched].sort());
  });

  it('the Deployment runs hardened with probes on /ready:15014, and the Service exposes 15010 and 15014', () => {
    const pod = find('Deployment', 'mini-istiod').spec.template.spec;
    const c = pod.containers[0];
    expect(pod.serviceAccountName).toBe('mini-istiod');
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe']) expect(c[p].httpGet, p).toEqual({ path: '/ready', port: 15014 });
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(find('Service', 'mini-istiod').spec.ports.map((p: any) => p.port)).toEqual([15010, 15014]);
  });

  it('the sidecar pins its Envoy image and its bootstrap passes our Envoy validator, pointing at mini-istiod', () => {
    const pod = find('Deployment', 'productpage-v1').spec.template.spec;
    const envoy = pod.containers.find((c: any) => c.name === 'envoy');
    expect(envoy.image).toMatch(/^docker\.io\/envoyproxy\/envoy:v\d+\.\d+\.\d+$/);
    const bootstrap = JSON.parse(find('ConfigMap', 'productpage-envoy-bootstrap').data['envoy.json']);
    expect(validateMessage('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
    const addr = bootstrap.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    expect(addr).toEqual({ address: 'mini-istiod.istio-system.svc.cluster.local', port_value: 15010 });
    expect(find('Service', 'mini-istiod').metadata.namespace).toBe('istio-system');
  });
});
