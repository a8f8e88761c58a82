// Shared by the route, VirtualService and Gateway tests: YAML in → the resources a proxy
// gets through generateAll (every proxy kind), each checked by the strict codec and validate.rules.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { expect } from 'vitest';
import { encodeResource } from '../../src/envoy/codec.js';
import { tryLookupType, typeNameFromUrl } from '../../src/envoy/protos.js';
import { validateMessage } from '../../src/envoy/validate.js';
import { DEFAULT_MESH_CONFIG, type PushContext } from '../../src/push/push-context.js';
import type { Resource, TranslateWarning } from '../../src/translate/api.js';
import { generateAll } from '../../src/translate/generators.js';
import { parseProxy } from '../../src/translate/proxy.js';
import { buildPush } from '../golden/harness.js';

export const EXAMPLE = new URL('../../examples/bookinfo/', import.meta.url);

export function docs(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((d) => d !== null);
}

/** The Bookinfo example (services, pods, DestinationRules) without its VirtualService, plus `extra` files/YAML. */
export function bookinfoPush(...extra: string[]): PushContext {
  const files = ['productpage.yaml', 'details.yaml', 'reviews.yaml', 'ratings.yaml', 'destination-rule-all.yaml'];
  const objects = files.flatMap((f) => docs(readFileSync(new URL(f, EXAMPLE), 'utf8')));
  for (const e of extra) objects.push(...docs(e.includes('\n') ? e : readFileSync(new URL(e, EXAMPLE), 'utf8')));
  return buildPush(objects, DEFAULT_MESH_CONFIG);
}

export function pushFrom(yaml: string): PushContext {
  return buildPush(docs(yaml), DEFAULT_MESH_CONFIG);
}

export const PRODUCTPAGE = 'sidecar~127.0.0.10~productpage-v1.default~default.svc.cluster.local';
export const INGRESS = 'router~10.1.9.1~istio-ingressgateway-1.istio-system~istio-system.svc.cluster.local';

const PREVIOUS_HOSTS = 'envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate';
function encodable(body: Record<string, unknown>): Record<string, unknown> {
  if (tryLookupType(PREVIOUS_HOSTS)) return body;
  return JSON.parse(JSON.stringify(body), (k, v: unknown) =>
    k === 'typedConfig' && (v as { '@type'?: string })['@type'] === `type.googleapis.com/${PREVIOUS_HOSTS}` ? undefined : v,
  ) as Record<string, unknown>;
}

/** Every resource must encode strictly and pass Envoy's validate rules. */
export function expectValid(resources: readonly Resource[]): void {
  for (const r of resources) {
    const body = encodable(r.body);
    expect(() => encodeResource(r.typeUrl, body), `${r.typeUrl} ${r.name}`).not.toThrow();
    expect(validateMessage(typeNameFromUrl(r.typeUrl), body), `${r.typeUrl} ${r.name}`).toEqual([]);
  }
}

export interface ProxyOut {
  resources: Resource[];
  warnings: TranslateWarning[];
}

/** The resources (validated) a proxy gets; `labels` become its LABELS metadata. */
export function resourcesFor(push: PushContext, id: string, labels: Record<string, string> = {}, metadata: Record<string, unknown> = {}): ProxyOut {
  const proxy = parseProxy({ id, cluster: 'test', metadata: { LABELS: labels, ...metadata } });
  const out = generateAll(push, proxy);
  expectValid(out.resources);
  return out;
}
