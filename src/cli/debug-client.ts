// The CLI's side of the debug API: GET a JSON endpoint of a running mini-istiod (the
// monitoring port, 15014 by default) and say clearly what went wrong when it fails.

export const DEFAULT_SERVER = 'http://127.0.0.1:15014';

export class DebugApiError extends Error {}

/** GETs `path` from `server`; throws DebugApiError with the server's own error text if any. */
export async function getJson(server: string, path: string, timeoutMs = 10_000): Promise<unknown> {
  const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new DebugApiError(`cannot reach mini-istiod at ${server} (${cause}); is it running? (--server URL)`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DebugApiError(`${url.pathname}: HTTP ${res.status}, not JSON: ${text.slice(0, 200).trim()}`);
  }
  if (!res.ok) {
    const msg = isRecord(body) && typeof body['error'] === 'string' ? body['error'] : text.trim();
    throw new DebugApiError(`${url.pathname}: HTTP ${res.status}: ${msg}`);
  }
  return body;
}

// Small readers for JSON we did not type: each returns a safe empty value on a mismatch.
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
}
