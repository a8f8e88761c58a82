// The validator walks parsed protobufjs messages (not their JSON), visiting only what a
// message has set unless it finds something. These pin down that the shortcuts change
// nothing a caller can see: Any payloads are still validated, presence is PGV's, issues
// come in declaration order with JSON paths, and a decoded message validates the same.
import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { encodeResource } from '../../src/envoy/codec.js';
import { lookupType } from '../../src/envoy/protos.js';
import { encodeValidResource, issuesOfMessage, validateMessage, ValidationError, type ValidationIssue } from '../../src/envoy/validate.js';
import { canHaveIssues, planOf } from '../../src/envoy/validate-plan.js';
import { TypeUrl } from '../../src/translate/api.js';
import { cluster, listener, routeConfiguration, ROUTER_URL } from './fixtures.js';

const LISTENER = 'envoy.config.listener.v3.Listener';
const ROUTE_CONFIG = 'envoy.config.route.v3.RouteConfiguration';

function brief(issues: readonly ValidationIssue[]): string[] {
  return issues.map((i) => `${i.path} ${i.rule}`);
}

function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

/** The issues of the same JSON read back from its encoding: no parsed Any payloads, own empty arrays. */
function decodedIssues(typeName: string, json: Record<string, unknown>): ValidationIssue[] {
  const type = lookupType(typeName);
  return issuesOfMessage(type, type.decode(encodeResource(`type.googleapis.com/${typeName}`, json)));
}

describe('Any payloads are validated', () => {
  function badRouterListener(): any {
    const l = listener() as any;
    l.filterChains[0].filters[0].typedConfig.httpFilters[1].typedConfig = { '@type': ROUTER_URL, strictCheckHeaders: ['x-envoy-max-retries', 'x-nope'] };
    return l;
  }

  test('an Any inside an Any (HCM → router filter), by encodeValidResource', () => {
    const err = thrown(() => encodeValidResource(TypeUrl.Listener, badRouterListener()));
    expect(brief(err.issues)).toEqual(['filterChains[0].filters[0].typedConfig.httpFilters[1].typedConfig.strictCheckHeaders[1] string.in']);
  });

  test('an Any in a map, with the key in the path', () => {
    const rc = routeConfiguration() as any;
    rc.virtualHosts[0].routes[0].typedPerFilterConfig['envoy.filters.http.fault'].abort.httpStatus = 700;
    expect(brief(validateMessage(ROUTE_CONFIG, rc))).toEqual([
      'virtualHosts[0].routes[0].typedPerFilterConfig["envoy.filters.http.fault"].abort.httpStatus uint32.lt',
    ]);
  });

  test('a decoded message (payloads only as bytes) has the same issues as its JSON', () => {
    const l = badRouterListener();
    l.filterChains[0].filters[0].typedConfig.statPrefix = '';
    const expected = brief(validateMessage(LISTENER, l));
    expect(expected).toHaveLength(2);
    expect(brief(decodedIssues(LISTENER, l))).toEqual(expected);
  });
});

describe('issues are listed in declaration order whatever the JSON key order', () => {
  test('fields, nested messages and required oneofs', () => {
    const c = { ...cluster(), name: '', connectTimeout: '0s', lbPolicy: 77 };
    const reversed = Object.fromEntries(Object.entries(c).reverse());
    const expected = ['name string.min_len', 'connectTimeout duration.gt', 'lbPolicy enum.defined_only'];
    expect(brief(validateMessage('envoy.config.cluster.v3.Cluster', c))).toEqual(expected);
    expect(brief(validateMessage('envoy.config.cluster.v3.Cluster', reversed))).toEqual(expected);
    expect(brief(validateMessage('envoy.config.route.v3.Route', { route: { timeout: '1s' }, name: 'r' }))).toEqual([
      'match message.required',
      'route.clusterSpecifier oneof.required',
    ]);
  });

  test('the same issues from the wire form, for every issue kind', () => {
    const rc = routeConfiguration() as any;
    rc.virtualHosts[0].domains = [];
    rc.virtualHosts[0].routes[1].route = { clusterHeader: 'bad\nheader' };
    rc.virtualHosts[0].routes[0].match.headers[0].name = '';
    const expected = brief(validateMessage(ROUTE_CONFIG, rc));
    expect(expected).toEqual([
      'virtualHosts[0].domains repeated.min_items',
      'virtualHosts[0].routes[0].match.headers[0].name string.min_len',
      'virtualHosts[0].routes[1].route.clusterHeader string.well_known_regex',
    ]);
    expect(brief(decodedIssues(ROUTE_CONFIG, rc))).toEqual(expected);
  });
});

describe('presence, as PGV generates it', () => {
  test('a oneof member set to its zero value is checked', () => {
    expect(brief(validateMessage('envoy.config.route.v3.RouteAction', { cluster: '' }))).toEqual(['cluster string.min_len']);
  });

  // No Envoy field is a proto3 `optional` with rules, so a small proto stands in.
  const root = protobuf.parse(`syntax = "proto3"; package t;
    message M {
      optional uint32 opt = 1 [(validate.rules).uint32 = {gt: 0}];
      uint32 plain = 2 [(validate.rules).uint32 = {gt: 0}];
      oneof o { uint32 a = 3 [(validate.rules).uint32 = {gt: 0}]; string b = 4; }
      repeated string names = 5 [(validate.rules).repeated = {min_items: 1}];
    }`, { keepCase: false }).root;
  const M = root.lookupType('t.M');
  const issues = (props: Record<string, unknown>): string[] => brief(issuesOfMessage(M, M.decode(M.encode(M.create(props)).finish())));

  test('plain scalars and lists always; proto3 optional and oneof members only when set', () => {
    expect(issues({})).toEqual(['plain uint32.gt', 'names repeated.min_items']);
    expect(issues({ plain: 1, names: ['x'], b: 'x' })).toEqual([]);
    expect(issues({ opt: 0, plain: 1, a: 0, names: ['x'] })).toEqual(['opt uint32.gt', 'a uint32.gt']);
  });
});

describe('validation plans', () => {
  test('types with no rules anywhere below are not walked', () => {
    expect(canHaveIssues(lookupType('google.protobuf.Struct'))).toBe(false);
    expect(planOf(lookupType('envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate'))).toBeNull();
    expect(canHaveIssues(lookupType('envoy.config.cluster.v3.Cluster'))).toBe(true);
  });

  test('a clean resource validated again after a bad copy is still clean, and the bad one still fails', () => {
    const good = routeConfiguration();
    const bad = routeConfiguration() as any;
    bad.virtualHosts[0].routes[1].route.cluster = '';
    for (let i = 0; i < 3; i++) {
      expect(validateMessage(ROUTE_CONFIG, good)).toEqual([]);
      expect(brief(validateMessage(ROUTE_CONFIG, bad))).toEqual(['virtualHosts[0].routes[1].route.cluster string.min_len']);
    }
  });
});
