// Kubernetes kinds (v1 Service, Endpoints, Pod; discovery.k8s.io/v1 EndpointSlice). Real
// manifests carry many fields we do not model (status, managedFields, container specs...),
// so unknown fields are dropped; the fields we read (kube-types.ts) are type-checked.
import * as z from 'zod';
import type { KubeEndpointPort, KubeEndpoints, KubeEndpointSlice, KubePod, KubeService } from '../kube-types.js';
import { bool, int, metadata, port, str, stringMap, type Parsed } from './common.js';

/** Optional and also tolerant of an explicit `null`, which API server output often has. */
function opt<T>(schema: z.ZodType<T>): z.ZodType<T | undefined> {
  return schema.nullish().transform((v) => v ?? undefined);
}

/** Kubernetes IntOrString as used by targetPort: a port number or a container port name. */
const intOrString = z.union([port, z.string().min(1)], { error: (iss) => `expected number or string, got ${iss.input === null ? 'null' : typeof iss.input}` });

const envelope = { apiVersion: str, kind: str, metadata };

const servicePort = z.object({
  name: opt(str),
  port,
  targetPort: opt(intOrString),
  protocol: opt(z.enum(['TCP', 'UDP', 'SCTP'])),
  appProtocol: opt(str),
  nodePort: opt(int),
});

const serviceSpec: z.ZodType<KubeService> = z.object({
  type: opt(z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'])),
  clusterIP: opt(str),
  clusterIPs: opt(z.array(str)),
  ports: opt(z.array(servicePort)),
  selector: opt(stringMap),
  externalName: opt(str),
});

export const kubeService: z.ZodType<Parsed<KubeService>> = z
  .object({ ...envelope, spec: opt(serviceSpec) })
  .transform((o) => ({ metadata: o.metadata, spec: o.spec ?? {} }));

const endpointPort: z.ZodType<KubeEndpointPort> = z.object({
  name: opt(str),
  port,
  protocol: opt(str),
  appProtocol: opt(str),
});

const targetRef = z.object({ kind: opt(str), name: opt(str), namespace: opt(str) });

const endpointAddress = z.object({
  ip: str,
  hostname: opt(str),
  nodeName: opt(str),
  targetRef: opt(targetRef),
});

export const kubeEndpoints: z.ZodType<Parsed<KubeEndpoints>> = z
  .object({
    ...envelope,
    subsets: opt(
      z.array(
        z.object({
          addresses: opt(z.array(endpointAddress)),
          notReadyAddresses: opt(z.array(endpointAddress)),
          ports: opt(z.array(endpointPort)),
        }),
      ),
    ),
  })
  .transform((o): Parsed<KubeEndpoints> => ({ metadata: o.metadata, spec: { subsets: o.subsets ?? [] } }));

/** The label tying an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export const kubeEndpointSlice: z.ZodType<Parsed<KubeEndpointSlice>> = z
  .object({
    ...envelope,
    addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
    endpoints: opt(
      z.array(
        z.object({
          addresses: z.array(str),
          conditions: opt(z.object({ ready: opt(bool), serving: opt(bool), terminating: opt(bool) })),
          hostname: opt(str),
          nodeName: opt(str),
          zone: opt(str),
          targetRef: opt(targetRef),
        }),
      ),
    ),
    ports: opt(z.array(endpointPort)),
  })
  .transform(
    (o): Parsed<KubeEndpointSlice> => ({
      metadata: o.metadata,
      spec: {
        serviceName: o.metadata.labels?.[SERVICE_NAME_LABEL] ?? '',
        addressType: o.addressType,
        endpoints: o.endpoints ?? [],
        ports: o.ports,
      },
    }),
  );

const podSpec = z.object({
  containers: opt(
    z.array(
      z.object({
        name: str,
        ports: opt(z.array(z.object({ name: opt(str), containerPort: port, protocol: opt(str) }))),
      }),
    ),
  ),
  nodeName: opt(str),
  serviceAccountName: opt(str),
});

const podStatus = z.object({
  phase: opt(z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'])),
  podIP: opt(str),
  podIPs: opt(z.array(z.object({ ip: str }))),
  conditions: opt(z.array(z.object({ type: str, status: str }))),
});

export const kubePod: z.ZodType<Parsed<KubePod>> = z
  .object({ ...envelope, spec: opt(podSpec), status: opt(podStatus) })
  .transform((o): Parsed<KubePod> => ({ metadata: o.metadata, spec: { spec: o.spec ?? {}, status: o.status ?? {} } }));
