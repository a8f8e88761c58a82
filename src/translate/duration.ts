// Istio durations are Go-style strings ("1.5s", "100ms", "1h30m"); proto3 JSON wants
// seconds with 0, 3, 6 or 9 fractional digits ("1.500s"). Validation upstream already
// rejected malformed strings, so a failure here is reported, not thrown.

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Nanoseconds of a Go duration string, or undefined when it does not parse. */
export function durationNanos(text: string): bigint | undefined {
  const s = text.trim();
  if (s === '0') return 0n;
  const re = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0n;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const [whole, num, unit] = m as unknown as [string, string, string];
    const [intPart, fracPart = ''] = num.split('.');
    const scale = UNIT_NANOS[unit] ?? 1n;
    total += BigInt(intPart || '0') * scale;
    if (fracPart) total += (BigInt(fracPart) * scale) / 10n ** BigInt(fracPart.length);
    pos += whole.length;
  }
  return pos === s.length && pos > 0 ? total : undefined;
}

/** proto3 JSON form of a nanosecond count: "10s", "0.100s", "1.000000500s". */
export function formatDuration(nanos: bigint): string {
  const secs = nanos / 1_000_000_000n;
  const frac = nanos % 1_000_000_000n;
  if (frac === 0n) return `${secs}s`;
  let digits = frac.toString().padStart(9, '0');
  if (digits.endsWith('000000')) digits = digits.slice(0, 3);
  else if (digits.endsWith('000')) digits = digits.slice(0, 6);
  return `${secs}.${digits}s`;
}

/** Go duration string → proto3 JSON duration, or undefined when it does not parse. */
export function toProtoDuration(text: string): string | undefined {
  const n = durationNanos(text);
  return n === undefined ? undefined : formatDuration(n);
}
