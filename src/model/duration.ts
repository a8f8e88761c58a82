// Istio durations as users write them: Go-style sequences of number+unit ("1.5s", "100ms",
// "1m30s", "1h"). Istio's CRDs accept these (the protobuf JSON form "1.5s" is a subset).

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/;

/** Milliseconds in `text`, or throws an Error saying why it is not a duration. */
export function parseDuration(text: string): number {
  if (text === '') throw new Error('invalid duration "": empty');
  let rest = text;
  let total = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) throw new Error(`invalid duration "${text}": expected e.g. "1.5s", "100ms", "1m", "1h"`);
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
    rest = rest.slice(m[0].length);
  }
  if (!Number.isFinite(total)) throw new Error(`invalid duration "${text}"`);
  return total;
}

/** True when `text` parses as a duration. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}
