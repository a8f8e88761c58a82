// ServiceEntry and WorkloadEntry (networking.istio.io v1 / v1beta1 / v1alpha3), strict.
import * as z from 'zod';
import type { ServiceEntrySpec, WorkloadEntrySpec } from '../istio-types.js';
import { host, istioObject, port, str, stringList, stringMap, uint } from './common.js';

const workloadEntryFields = {
  address: str.optional(),
  ports: z.record(z.string(), port).optional(),
  labels: stringMap.optional(),
  network: str.optional(),
  locality: str.optional(),
  weight: uint.optional(),
  serviceAccount: str.optional(),
};

export const workloadEntrySpec: z.ZodType<WorkloadEntrySpec> = z.strictObject(workloadEntryFields);

export const serviceEntrySpec: z.ZodType<ServiceEntrySpec> = z
  .strictObject({
    hosts: z.array(host).min(1, { error: 'at least one host is required' }),
    addresses: stringList.optional(),
    ports: z
      .array(z.strictObject({ number: port, protocol: str.optional(), name: z.string().min(1, { error: 'port name is required' }), targetPort: port.optional() }))
      .optional(),
    location: z.enum(['MESH_EXTERNAL', 'MESH_INTERNAL']).optional(),
    resolution: z.enum(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN']).optional(),
    endpoints: z.array(workloadEntrySpec).optional(),
    workloadSelector: z.strictObject({ labels: stringMap.optional() }).optional(),
    exportTo: stringList.optional(),
    subjectAltNames: stringList.optional(),
  })
  .superRefine((se, ctx) => {
    // Istio's webhook: endpoints and workloadSelector are mutually exclusive.
    if (se.endpoints && se.endpoints.length > 0 && se.workloadSelector) {
      ctx.addIssue({ code: 'custom', path: ['workloadSelector'], message: 'only one of endpoints or workloadSelector may be set' });
    }
  });

export const serviceEntry = istioObject(serviceEntrySpec);
export const workloadEntry = istioObject(workloadEntrySpec);
