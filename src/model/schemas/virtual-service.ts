// VirtualService (networking.istio.io v1 / v1beta1 / v1alpha3), strict: every field of
// Istio's API, nothing else. Semantic checks are the cheap ones Istio's webhook makes.
import * as z from 'zod';
import type {
  Destination,
  HTTPRoute,
  Headers,
  TCPRoute,
  TLSRoute,
  VirtualServiceSpec,
} from '../istio-types.js';
import {
  bool,
  checkWeights,
  duration,
  headerMatch,
  host,
  int,
  istioObject,
  percent,
  port,
  portSelector,
  str,
  stringList,
  stringMap,
  stringMatch,
  uint,
} from './common.js';

export const destination: z.ZodType<Destination> = z.strictObject({
  host,
  subset: str.optional(),
  port: portSelector.optional(),
});

const headerOperations = z.strictObject({
  set: stringMap.optional(),
  add: stringMap.optional(),
  remove: stringList.optional(),
});

const headers: z.ZodType<Headers> = z.strictObject({
  request: headerOperations.optional(),
  response: headerOperations.optional(),
});

const httpMatchRequest = z.strictObject({
  name: str.optional(),
  uri: stringMatch.optional(),
  scheme: stringMatch.optional(),
  method: stringMatch.optional(),
  authority: stringMatch.optional(),
  headers: z.record(z.string(), headerMatch).optional(),
  port: port.optional(),
  sourceLabels: stringMap.optional(),
  gateways: stringList.optional(),
  queryParams: z.record(z.string(), headerMatch).optional(),
  ignoreUriCase: bool.optional(),
  withoutHeaders: z.record(z.string(), headerMatch).optional(),
  sourceNamespace: str.optional(),
  statPrefix: str.optional(),
});

const httpRouteDestination = z.strictObject({
  destination,
  weight: uint.optional(),
  headers: headers.optional(),
});

const httpRedirect = z.strictObject({
  uri: str.optional(),
  authority: str.optional(),
  port: port.optional(),
  derivePort: z.enum(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']).optional(),
  scheme: str.optional(),
  redirectCode: int.optional(),
});

const httpDirectResponse = z.strictObject({
  status: int,
  body: z.strictObject({ string: str.optional(), bytes: str.optional() }).optional(),
});

const httpRewrite = z.strictObject({
  uri: str.optional(),
  authority: str.optional(),
  uriRegexRewrite: z.strictObject({ match: str, rewrite: str }).optional(),
});

const httpRetry = z.strictObject({
  attempts: uint.optional(),
  perTryTimeout: duration.optional(),
  retryOn: str.optional(),
  retryRemoteLocalities: bool.optional(),
  // Istio 1.26+: host predicate and backoff interval.
  retryIgnorePreviousHosts: bool.optional(),
  backoff: duration.optional(),
});

const httpFault = z.strictObject({
  delay: z
    .strictObject({
      fixedDelay: duration.optional(),
      exponentialDelay: duration.optional(),
      percentage: percent.optional(),
      percent: uint.optional(),
    })
    .optional(),
  abort: z
    .strictObject({
      httpStatus: int.optional(),
      grpcStatus: str.optional(),
      http2Error: str.optional(),
      percentage: percent.optional(),
    })
    .optional(),
});

const corsPolicy = z.strictObject({
  allowOrigins: z.array(stringMatch).optional(),
  allowOrigin: stringList.optional(),
  allowMethods: stringList.optional(),
  allowHeaders: stringList.optional(),
  exposeHeaders: stringList.optional(),
  maxAge: duration.optional(),
  allowCredentials: bool.optional(),
  unmatchedPreflights: z.enum(['UNSPECIFIED', 'FORWARD', 'IGNORE']).optional(),
});

const httpRoute: z.ZodType<HTTPRoute> = z
  .strictObject({
    name: str.optional(),
    match: z.array(httpMatchRequest).optional(),
    route: z.array(httpRouteDestination).optional(),
    redirect: httpRedirect.optional(),
    directResponse: httpDirectResponse.optional(),
    delegate: z.strictObject({ name: str, namespace: str.optional() }).optional(),
    rewrite: httpRewrite.optional(),
    timeout: duration.optional(),
    retries: httpRetry.optional(),
    fault: httpFault.optional(),
    mirror: destination.optional(),
    mirrors: z.array(z.strictObject({ destination, percentage: percent.optional() })).optional(),
    mirrorPercentage: percent.optional(),
    // Deprecated in v1alpha3 (replaced by mirrorPercentage) but still valid there.
    mirrorPercent: uint.optional(),
    corsPolicy: corsPolicy.optional(),
    headers: headers.optional(),
  })
  .superRefine((r, ctx) => checkWeights(r.route, ctx, ['route']));

const l4Match = {
  destinationSubnets: stringList.optional(),
  port: port.optional(),
  sourceLabels: stringMap.optional(),
  gateways: stringList.optional(),
  sourceNamespace: str.optional(),
};

const routeDestination = z.strictObject({ destination, weight: uint.optional() });

const tcpRoute: z.ZodType<TCPRoute> = z
  .strictObject({
    match: z.array(z.strictObject(l4Match)).optional(),
    route: z.array(routeDestination).optional(),
  })
  .superRefine((r, ctx) => checkWeights(r.route, ctx, ['route']));

const tlsRoute: z.ZodType<TLSRoute> = z
  .strictObject({
    match: z.array(z.strictObject({ ...l4Match, sniHosts: z.array(host) })),
    route: z.array(routeDestination).optional(),
  })
  .superRefine((r, ctx) => checkWeights(r.route, ctx, ['route']));

// Empty `hosts` is legal: that is a delegate VirtualService (Istio's default since 1.8).
export const virtualServiceSpec: z.ZodType<VirtualServiceSpec> = z.strictObject({
  hosts: z.array(host).optional(),
  gateways: stringList.optional(),
  http: z.array(httpRoute).optional(),
  tls: z.array(tlsRoute).optional(),
  tcp: z.array(tcpRoute).optional(),
  exportTo: stringList.optional(),
});

export const virtualService = istioObject(virtualServiceSpec);
