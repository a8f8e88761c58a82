import { describe, expect, it } from 'vitest';
import { convertFault, fractionalPercent, type FaultProblem } from '../../src/translate/fault.js';
import { convertRetry, defaultRetryPolicy, parseRetryOn } from '../../src/translate/retry.js';

describe('retry', () => {
  it('defaults to Istio policy when unset, none when attempts is 0', () => {
    expect(convertRetry(undefined)).toEqual(defaultRetryPolicy());
    expect(defaultRetryPolicy().retriableStatusCodes).toBeUndefined();
    expect(convertRetry({ attempts: 0 })).toBeUndefined();
  });
  it('splits status codes out of retryOn', () => {
    expect(parseRetryOn('5xx, 503,gateway-error,429')).toEqual({ retryOn: '5xx,gateway-error,retriable-status-codes', codes: [503, 429] });
    expect(parseRetryOn('503')).toEqual({ retryOn: 'retriable-status-codes', codes: [503] });
    expect(parseRetryOn('999,reset')).toEqual({ retryOn: '999,reset', codes: [] });
    const p = convertRetry({ attempts: 3, perTryTimeout: '2s', retryOn: 'reset,503' });
    expect(p).toMatchObject({ numRetries: 3, perTryTimeout: '2s', retryOn: 'reset,retriable-status-codes', retriableStatusCodes: [503], hostSelectionRetryMaxAttempts: '5' });
  });
});

describe('fault', () => {
  it('uses parts per million', () => {
    expect(fractionalPercent({ value: 0.1 }, undefined)).toEqual({ numerator: 1000, denominator: 'MILLION' });
    expect(fractionalPercent(undefined, 50)).toEqual({ numerator: 500000, denominator: 'MILLION' });
    expect(fractionalPercent(undefined, undefined)).toEqual({ denominator: 'MILLION' });
  });
  it('maps gRPC status names and drops what Envoy cannot express', () => {
    const problems: FaultProblem[] = [];
    expect(convertFault({ abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 100 } } }, problems)?.abort).toEqual({ grpcStatus: 14, percentage: { numerator: 1000000, denominator: 'MILLION' } });
    expect(convertFault({ delay: { exponentialDelay: '1s' } }, problems)).toBeUndefined();
    expect(convertFault({ abort: { grpcStatus: 'NOPE' } }, problems)).toBeUndefined();
    expect(convertFault({ abort: { httpStatus: 100 } }, problems)).toBeUndefined();
    expect(problems.map((p) => p.field)).toEqual(['fault.delay.exponentialDelay', 'fault.abort.grpcStatus', 'fault.abort.httpStatus']);
  });
});
