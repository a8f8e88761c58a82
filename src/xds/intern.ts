// Resource names arrive as fresh strings in every request: a thousand all-seeing proxies
// that each subscribe to the same thousand clusters would hold a million copies of a
// thousand names (~64 KB per proxy). Subscriptions and sent-version maps keep one shared
// copy of each instead. The pool is bounded: past its size it starts over (strings still
// in use stay alive where they are used; only the sharing of new arrivals restarts).
const MAX_POOL = 500_000;
let pool = new Map<string, string>();

export function intern(s: string): string {
  const known = pool.get(s);
  if (known !== undefined) return known;
  if (pool.size >= MAX_POOL) pool = new Map();
  pool.set(s, s);
  return s;
}
