// Gateway (networking.istio.io v1 / v1beta1 / v1alpha3), strict: every field of Istio's
// API, nothing else, plus the cheap checks Istio's webhook makes (servers and hosts are
// required; TLS modes that need certificates name them).
import * as z from 'zod';
import type { GatewaySpec, ServerTLSSettings } from '../istio-types.js';
import { bool, istioObject, port, str, stringList, stringMap } from './common.js';

const tlsVersion = z.enum(['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3']);

const serverTls: z.ZodType<ServerTLSSettings> = z.strictObject({
  httpsRedirect: bool.optional(),
  mode: z.enum(['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL']).optional(),
  serverCertificate: str.optional(),
  privateKey: str.optional(),
  caCertificates: str.optional(),
  caCrl: str.optional(),
  credentialName: str.optional(),
  credentialNames: stringList.optional(),
  subjectAltNames: stringList.optional(),
  verifyCertificateSpki: stringList.optional(),
  verifyCertificateHash: stringList.optional(),
  minProtocolVersion: tlsVersion.optional(),
  maxProtocolVersion: tlsVersion.optional(),
  cipherSuites: stringList.optional(),
});

const server = z
  .strictObject({
    port: z.strictObject({ number: port, protocol: str, name: str, targetPort: port.optional() }),
    bind: str.optional(),
    hosts: z.array(str).min(1, { error: 'a server needs at least one host' }),
    tls: serverTls.optional(),
    defaultEndpoint: str.optional(),
    name: str.optional(),
  })
  .superRefine((s, ctx) => {
    const mode = s.tls?.mode;
    // Istio's validation: SIMPLE/MUTUAL need a certificate, from files or a credential.
    if ((mode === 'SIMPLE' || mode === 'MUTUAL') && !s.tls?.credentialName && !s.tls?.credentialNames &&
        (!s.tls?.serverCertificate || !s.tls.privateKey)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: `${mode} mode needs serverCertificate and privateKey, or credentialName` });
    }
    if (mode === 'MUTUAL' && !s.tls?.credentialName && !s.tls?.credentialNames && !s.tls?.caCertificates) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'caCertificates'], message: 'MUTUAL mode needs caCertificates (or credentialName)' });
    }
  });

export const gatewaySpec: z.ZodType<GatewaySpec> = z.strictObject({
  servers: z.array(server).min(1, { error: 'a gateway needs at least one server' }),
  selector: stringMap.optional(),
});

export const gateway = istioObject(gatewaySpec);
