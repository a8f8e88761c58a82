// Sidecar (networking.istio.io v1 / v1beta1 / v1alpha3), strict: every field of Istio's
// API, plus the checks Istio's webhook makes on egress hosts (`namespace/dnsName`) and
// default endpoints. connectionPool and tls reuse the DestinationRule and Gateway schemas,
// so the three kinds can never disagree on what those blocks accept.
import * as z from 'zod';
import type { ConnectionPoolSettings, ServerTLSSettings, SidecarSpec } from '../istio-types.js';
import { gatewaySpec } from './gateway.js';
import { destination } from './virtual-service.js';
import { istioObject, port, str, stringMap } from './common.js';
import { trafficPolicy } from './destination-rule.js';

/**
 * A field validated by another kind's schema: `wrap` places the value where that schema
 * expects it, and issues come back with the wrapper's path prefix (`depth` segments) removed.
 */
function embedded<T>(schema: z.ZodType, wrap: (v: unknown) => unknown, depth: number): z.ZodType<T> {
  return z.unknown().transform((v, ctx) => {
    const r = schema.safeParse(wrap(v));
    if (r.success) return v as T;
    for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: issue.path.slice(depth) } as z.core.$ZodRawIssue);
    return z.NEVER;
  }) as unknown as z.ZodType<T>;
}

const connectionPool = embedded<ConnectionPoolSettings>(trafficPolicy, (v) => ({ connectionPool: v }), 1);
const serverTls = embedded<ServerTLSSettings>(
  gatewaySpec,
  (v) => ({ servers: [{ port: { number: 1, protocol: 'HTTPS', name: 'sidecar' }, hosts: ['*'], tls: v }] }),
  3,
);

const sidecarPort = z.strictObject({ number: port, protocol: str.optional(), name: str.optional(), targetPort: port.optional() });
const captureMode = z.enum(['DEFAULT', 'IPTABLES', 'NONE']);

/** Istio's validation of a Sidecar's ingress defaultEndpoint. */
const defaultEndpoint = z.string().superRefine((s, ctx) => {
  if (s === '' || s.startsWith('unix://')) return;
  const m = /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]):([0-9]{1,5})$/.exec(s);
  const portNumber = m ? Number(m[2]) : 0;
  if (!m || portNumber < 1 || portNumber > 65535) {
    ctx.addIssue({
      code: 'custom',
      message: `"${s}": expected 127.0.0.1:PORT, [::1]:PORT, 0.0.0.0:PORT, [::]:PORT or unix:///path`,
    });
  }
});

/** `namespace/dnsName`, namespace being `*`, `.`, `~` or a name (Istio's egress host syntax). */
const egressHost = z.string().superRefine((h, ctx) => {
  const slash = h.indexOf('/');
  if (slash <= 0 || slash === h.length - 1) {
    ctx.addIssue({ code: 'custom', message: `"${h}": egress hosts must be namespace/dnsName (e.g. "./*", "istio-system/*", "*/reviews.default.svc.cluster.local")` });
    return;
  }
  const dns = h.slice(slash + 1);
  if (dns.includes('/') || (dns.includes('*') && dns !== '*' && !dns.startsWith('*.'))) {
    ctx.addIssue({ code: 'custom', message: `"${h}": the dnsName part may only be *, *.suffix or a name` });
  }
});

export const sidecarSpec: z.ZodType<SidecarSpec> = z.strictObject({
  workloadSelector: z.strictObject({ labels: stringMap.optional() }).optional(),
  ingress: z
    .array(
      z.strictObject({
        port: sidecarPort,
        bind: str.optional(),
        captureMode: captureMode.optional(),
        defaultEndpoint: defaultEndpoint.optional(),
        tls: serverTls.optional(),
        connectionPool: connectionPool.optional(),
      }),
    )
    .optional(),
  egress: z
    .array(
      z.strictObject({
        port: sidecarPort.optional(),
        bind: str.optional(),
        captureMode: captureMode.optional(),
        hosts: z.array(egressHost).min(1, { error: 'an egress listener needs at least one host' }),
      }),
    )
    .optional(),
  inboundConnectionPool: connectionPool.optional(),
  outboundTrafficPolicy: z
    .strictObject({ mode: z.enum(['REGISTRY_ONLY', 'ALLOW_ANY']).optional(), egressProxy: destination.optional() })
    .optional(),
});

export const sidecar = istioObject(sidecarSpec);
