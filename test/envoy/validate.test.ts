import { describe, expect, test } from 'vitest';
import { CodecError } from '../../src/envoy/codec.js';
import { assertValid, validateMessage, ValidationError, type ValidationIssue } from '../../src/envoy/validate.js';
import { checkValue } from '../../src/envoy/validate-rules.js';
import { TypeUrl } from '../../src/translate/api.js';
import { cluster, clusterLoadAssignment, HCM_URL, listener, routeConfiguration } from './fixtures.js';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const ROUTE_CONFIG = 'envoy.config.route.v3.RouteConfiguration';

/** `path rule` pairs, the part of an issue the assertions care about. */
function brief(issues: ValidationIssue[]): string[] {
  return issues.map((i) => `${i.path} ${i.rule}`);
}

describe('valid resources', () => {
  test.each([
    [TypeUrl.Cluster, cluster],
    [TypeUrl.Listener, listener],
    [TypeUrl.RouteConfiguration, routeConfiguration],
    [TypeUrl.ClusterLoadAssignment, clusterLoadAssignment],
  ] as const)('%s has no issues', (typeUrl, make) => {
    expect(() => assertValid(typeUrl, make())).not.toThrow();
  });

  test('a Listener filter chain (HCM with RDS and the router) has no issues', () => {
    const chain = (listener()['filterChains'] as Record<string, unknown>[])[0]!;
    expect(validateMessage('envoy.config.listener.v3.FilterChain', chain)).toEqual([]);
  });
});

describe('PGV rules on Envoy fields', () => {
  test('Cluster with an empty or absent name: string.min_len at name (proto3 scalars are always checked)', () => {
    const expected = [{ path: 'name', rule: 'string.min_len', message: 'value length must be at least 1 runes' }];
    expect(validateMessage(CLUSTER, { ...cluster(), name: '' })).toEqual(expected);
    const { name: _name, ...noName } = cluster();
    expect(validateMessage(CLUSTER, noName)).toEqual(expected);
  });

  test('RouteAction with no cluster specifier: oneof.required', () => {
    expect(brief(validateMessage('envoy.config.route.v3.RouteAction', { timeout: '1s' }))).toEqual(['clusterSpecifier oneof.required']);
    const rc = routeConfiguration() as any;
    delete rc.virtualHosts[0].routes[1].route.cluster;
    expect(brief(validateMessage(ROUTE_CONFIG, rc))).toEqual(['virtualHosts[0].routes[1].route.clusterSpecifier oneof.required']);
  });

  test('a oneof member set to its zero value satisfies (validate.required)', () => {
    // Route.action is a required oneof; route {} is set even though it is empty, and then
    // RouteAction's own required oneof fires.
    const issues = validateMessage('envoy.config.route.v3.Route', { match: { prefix: '' }, route: {} });
    expect(brief(issues)).toEqual(['route.clusterSpecifier oneof.required']);
  });

  test('Route without match: message.required', () => {
    expect(brief(validateMessage('envoy.config.route.v3.Route', { directResponse: { status: 200 } }))).toEqual(['match message.required']);
  });

  test('duration gt: connectTimeout must be > 0, dnsRefreshRate > 1ms', () => {
    expect(validateMessage(CLUSTER, { ...cluster(), connectTimeout: '0s' })).toEqual([
      { path: 'connectTimeout', rule: 'duration.gt', message: 'value must be greater than 0' },
    ]);
    expect(brief(validateMessage(CLUSTER, { ...cluster(), dnsRefreshRate: '0.001s' }))).toEqual(['dnsRefreshRate duration.gt']);
    expect(validateMessage(CLUSTER, { ...cluster(), dnsRefreshRate: '0.001000001s' })).toEqual([]);
  });

  test('duration.required on HealthCheck, absent wrappers with message.required', () => {
    const issues = validateMessage('envoy.config.core.v3.HealthCheck', { tcpHealthCheck: {}, timeout: '1s' });
    expect(brief(issues)).toEqual(['interval duration.required', 'unhealthyThreshold message.required', 'healthyThreshold message.required']);
  });

  test('repeated min_items: a virtual host without domains', () => {
    const rc = routeConfiguration() as any;
    rc.virtualHosts[0].domains = [];
    expect(brief(validateMessage(ROUTE_CONFIG, rc))).toEqual(['virtualHosts[0].domains repeated.min_items']);
    delete rc.virtualHosts[0].domains;
    expect(brief(validateMessage(ROUTE_CONFIG, rc))).toEqual(['virtualHosts[0].domains repeated.min_items']);
  });

  test('HeaderMatcher name: min_len and the (non-strict) HTTP_HEADER_NAME regex', () => {
    const route = (name: string) => ({ match: { prefix: '/', headers: [{ name, presentMatch: true }] }, route: { cluster: 'c' } });
    const T = 'envoy.config.route.v3.Route';
    expect(brief(validateMessage(T, route('')))).toEqual(['match.headers[0].name string.min_len']);
    expect(brief(validateMessage(T, route('x-bad\nname')))).toEqual(['match.headers[0].name string.well_known_regex']);
    // strict: false in Envoy's proto only forbids NUL/CR/LF, so a space passes.
    expect(validateMessage(T, route('x bad'))).toEqual([]);
  });

  test('strict HTTP_HEADER_NAME with ignore_empty', () => {
    const T = 'envoy.config.core.v3.UpstreamHttpProtocolOptions';
    expect(validateMessage(T, { overrideAutoSniHeader: '' })).toEqual([]);
    expect(validateMessage(T, { overrideAutoSniHeader: ':authority' })).toEqual([]);
    expect(brief(validateMessage(T, { overrideAutoSniHeader: 'x host' }))).toEqual(['overrideAutoSniHeader string.well_known_regex']);
  });

  test('uint32.lte on a oneof member only when that member is set', () => {
    const T = 'envoy.config.core.v3.SocketAddress';
    expect(brief(validateMessage(T, { address: '1.2.3.4', portValue: 70000 }))).toEqual(['portValue uint32.lte']);
    expect(validateMessage(T, { address: '1.2.3.4', namedPort: 'http' })).toEqual([]);
  });

  test('enum defined_only and not_in (a bare, single-element not_in)', () => {
    expect(brief(validateMessage(CLUSTER, { ...cluster(), lbPolicy: 42 }))).toEqual(['lbPolicy enum.defined_only']);
    const T = 'envoy.config.core.v3.HealthCheck.HttpHealthCheck';
    expect(brief(validateMessage(T, { path: '/healthz', method: 'CONNECT' }))).toEqual(['method enum.not_in']);
    expect(validateMessage(T, { path: '/healthz', method: 'GET' })).toEqual([]);
  });

  test('repeated items (enum) and unique (strings)', () => {
    expect(brief(validateMessage('envoy.config.core.v3.HealthStatusSet', { statuses: ['HEALTHY', 12] }))).toEqual([
      'statuses[1] enum.defined_only',
    ]);
    const T = 'envoy.config.route.v3.InternalRedirectPolicy';
    expect(brief(validateMessage(T, { responseHeadersToCopy: ['x-a', 'x-b', 'x-a'] }))).toEqual(['responseHeadersToCopy[2] repeated.unique']);
  });

  test('string.in with two values (protobufjs keeps only the last in field.options)', () => {
    const T = 'envoy.config.core.v3.SchemeHeaderTransformation';
    expect(validateMessage(T, { schemeToOverwrite: 'http' })).toEqual([]);
    expect(brief(validateMessage(T, { schemeToOverwrite: 'ftp' }))).toEqual(['schemeToOverwrite string.in']);
  });

  test('scalar rules on a wrapper apply to the wrapped value, only when present', () => {
    const T = 'envoy.config.core.v3.RateLimitSettings';
    expect(brief(validateMessage(T, { fillRate: 0 }))).toEqual(['fillRate double.gt']);
    expect(validateMessage(T, { fillRate: 0.5 })).toEqual([]);
    expect(validateMessage(T, {})).toEqual([]);
  });

  test('map key rules: Metadata filterMetadata keys must be non-empty', () => {
    expect(brief(validateMessage('envoy.config.core.v3.Metadata', { filterMetadata: { '': {} } }))).toEqual(['filterMetadata[""] string.min_len']);
  });

  test('validation descends into Any payloads by @type', () => {
    const l = listener() as any;
    l.filterChains[0].filters[0].typedConfig.statPrefix = '';
    l.filterChains[0].filters[0].typedConfig.rds.routeConfigName = undefined;
    expect(brief(validateMessage('envoy.config.listener.v3.Listener', l))).toEqual(['filterChains[0].filters[0].typedConfig.statPrefix string.min_len']);
    expect(brief(validateMessage('envoy.config.core.v3.TypedExtensionConfig', { name: 'x' }))).toEqual(['typedConfig any.required']);
    const hcm = { '@type': HCM_URL, statPrefix: 's', httpFilters: [{ name: '' }] };
    expect(brief(validateMessage('envoy.config.core.v3.TypedExtensionConfig', { name: 'x', typedConfig: hcm }))).toEqual([
      'typedConfig.routeSpecifier oneof.required',
      'typedConfig.httpFilters[0].name string.min_len',
    ]);
  });

  test('a malformed shape is a CodecError, not a list of issues', () => {
    expect(() => validateMessage(CLUSTER, { name: 'c', conectTimeout: '1s' })).toThrow(CodecError);
  });

  test('assertValid lists every issue', () => {
    const bad = { ...cluster(), name: '', connectTimeout: '0s' };
    let err: unknown;
    try {
      assertValid(TypeUrl.Cluster, bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const ve = err as ValidationError;
    expect(brief([...ve.issues])).toEqual(['name string.min_len', 'connectTimeout duration.gt']);
    expect(ve.message).toContain('envoy.config.cluster.v3.Cluster fails validation');
    expect(ve.message).toContain('name: value length must be at least 1 runes [string.min_len]');
    expect(ve.message).toContain('connectTimeout: value must be greater than 0 [duration.gt]');
  });
});

describe('rule checks Envoy protos do not exercise', () => {
  function check(rules: Record<string, unknown>, value: unknown): string[] {
    const issues: ValidationIssue[] = [];
    checkValue(rules, value, { path: 'f', issues });
    return issues.map((i) => i.rule);
  }

  test('string', () => {
    expect(check({ string: { prefix: 'ab', suffix: 'yz', contains: 'm', len: 5 } }, 'abmyz')).toEqual([]);
    expect(check({ string: { prefix: 'ab', suffix: 'yz', contains: 'm', len: 5 } }, 'xxxx')).toEqual(['string.len', 'string.prefix', 'string.suffix', 'string.contains']);
    expect(check({ string: { max_len: 2, max_bytes: 3 } }, 'éé')).toEqual(['string.max_bytes']);
    expect(check({ string: { pattern: '^[a-z]+$' } }, 'abc1')).toEqual(['string.pattern']);
    expect(check({ string: { not_in: 'x', const: 'y' } }, 'x')).toEqual(['string.const', 'string.not_in']);
    expect(check({ string: { ipv4: true } }, '::1')).toEqual(['string.ipv4']);
    expect(check({ string: { hostname: true } }, 'a-.example.com')).toEqual(['string.hostname']);
    expect(check({ string: { address: true } }, 'foo.example.com')).toEqual([]);
  });

  test('numeric bounds, exclusive ranges and 64-bit values', () => {
    expect(check({ uint32: { gte: 1, lte: 10 } }, 0)).toEqual(['uint32.gte']);
    expect(check({ uint32: { gte: 1, lte: 10 } }, 10)).toEqual([]);
    expect(check({ int32: { gt: 10, lt: 0 } }, 5)).toEqual(['int32.gt']); // outside (0, 10) required
    expect(check({ int32: { gt: 10, lt: 0 } }, -1)).toEqual([]);
    expect(check({ uint64: { lt: '18446744073709551615' } }, '18446744073709551615')).toEqual(['uint64.lt']);
    expect(check({ int64: { in: [1, 2] } }, '3')).toEqual(['int64.in']);
    expect(check({ double: { gt: 0 } }, 'NaN')).toEqual(['double.gt']);
    expect(check({ bool: { const: true } }, false)).toEqual(['bool.const']);
  });

  test('duration, timestamp and any', () => {
    expect(check({ duration: { lte: { seconds: 1 }, not_in: { nanos: 500000000 } } }, '0.500s')).toEqual(['duration.not_in']);
    expect(check({ duration: { lt: { seconds: 1 } } }, '1s')).toEqual(['duration.lt']);
    expect(check({ timestamp: { gt: { seconds: 0 } } }, '1969-12-31T23:59:59Z')).toEqual(['timestamp.gt']);
    const url = 'type.googleapis.com/google.protobuf.Duration';
    expect(check({ any: { in: [url] } }, { '@type': url, value: '1s' })).toEqual([]);
    expect(check({ any: { not_in: url } }, { '@type': url, value: '1s' })).toEqual(['any.not_in']);
  });

  test('bytes', () => {
    expect(check({ bytes: { min_len: 2, max_len: 3 } }, 'AQ==')).toEqual(['bytes.min_len']);
    expect(check({ bytes: { ipv4: true } }, 'AQIDBA==')).toEqual([]);
  });
});

describe('repeated virtual hosts', () => {
  test('a clean virtual host seen before still lets a sibling report its issues, with its path', () => {
    const clean = routeConfiguration() as { virtualHosts: Record<string, unknown>[] };
    expect(validateMessage(ROUTE_CONFIG, clean)).toEqual([]);
    const bad = { ...clean.virtualHosts[0]!, name: 'other', domains: [] };
    const rc = { ...clean, virtualHosts: [clean.virtualHosts[0]!, bad] };
    expect(brief(validateMessage(ROUTE_CONFIG, rc))).toEqual(['virtualHosts[1].domains repeated.min_items']);
    // The same bad host fails again, at its new index.
    const again = { ...clean, virtualHosts: [bad] };
    expect(brief(validateMessage(ROUTE_CONFIG, again))).toEqual(['virtualHosts[0].domains repeated.min_items']);
  });
});
