// Flag value parsers: each turns a string into a typed value or throws commander's
// InvalidArgumentError, which commander prints as "error: option '--x <v>' argument 'v' is invalid. <why>".
import { InvalidArgumentError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { parseDuration } from '../model/duration.js';
import { LOG_LEVELS, type LogFormat } from '../log.js';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(value: string): HostPort {
  // [::1]:15010, 0.0.0.0:15010, localhost:15010
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new InvalidArgumentError(`expected HOST:PORT (e.g. 0.0.0.0:15010), got "${value}"`);
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

export function parseDurationFlag(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError(`expected a duration like 100ms, 1.5s or 1m: ${(err as Error).message}`);
  }
}

export function parseLogLevel(value: string): LevelWithSilent {
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

export function parseLogFormat(value: string): LogFormat {
  if (value !== 'json' && value !== 'text') throw new InvalidArgumentError('expected json or text');
  return value;
}

/** --metadata K=V, repeatable; a value that parses as JSON object (e.g. LABELS) is kept as JSON. */
export function collectMetadata(value: string, previous: Record<string, unknown>): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  const key = value.slice(0, eq);
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  if (raw.startsWith('{')) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidArgumentError(`value of ${key} starts with "{" but is not valid JSON`);
    }
  }
  return { ...previous, [key]: parsed };
}
