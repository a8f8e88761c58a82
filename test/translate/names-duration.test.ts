import { describe, expect, it } from 'vitest';
import { durationNanos, toProtoDuration } from '../../src/translate/duration.js';
import { candidateHosts, outboundClusterName, parseClusterName, splitHostPort } from '../../src/translate/names.js';

describe('names', () => {
  it('builds and parses Istio cluster names', () => {
    const n = outboundClusterName('reviews.default.svc.cluster.local', 9080, 'v1');
    expect(n).toBe('outbound|9080|v1|reviews.default.svc.cluster.local');
    expect(parseClusterName(n)).toEqual({ direction: 'outbound', port: 9080, subset: 'v1', host: 'reviews.default.svc.cluster.local' });
    expect(parseClusterName('BlackHoleCluster')).toBeUndefined();
    expect(parseClusterName('outbound|x||h')).toBeUndefined();
  });
  it('expands dial targets like a DNS search path', () => {
    expect(candidateHosts('reviews', 'ns')).toEqual(['reviews', 'reviews.ns.svc.cluster.local']);
    expect(candidateHosts('reviews.default', 'ns')).toEqual(['reviews.default', 'reviews.default.svc.cluster.local']);
    expect(candidateHosts('reviews.default.svc', 'ns')).toEqual(['reviews.default.svc', 'reviews.default.svc.cluster.local']);
    expect(splitHostPort('a:80')).toEqual({ host: 'a', port: 80 });
    expect(splitHostPort('a')).toBeUndefined();
    expect(splitHostPort('a:99999')).toBeUndefined();
  });
});

describe('duration', () => {
  it('converts Go durations to proto3 JSON', () => {
    expect(toProtoDuration('10s')).toBe('10s');
    expect(toProtoDuration('1.5s')).toBe('1.500s');
    expect(toProtoDuration('250ms')).toBe('0.250s');
    expect(toProtoDuration('1h2m')).toBe('3720s');
    expect(toProtoDuration('1us')).toBe('0.000001s');
    expect(toProtoDuration('0')).toBe('0s');
    expect(toProtoDuration('abc')).toBeUndefined();
    expect(durationNanos('1.5')).toBeUndefined();
  });
});
