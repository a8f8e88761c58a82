// V8's old-generation growth for a fan-out server. Response buffers stay alive until a
// client has read them (HTTP/2 flow control), so under load they are promoted and counted
// against the old generation's limit. With V8's own growth schedule, a heap of ~50 MB
// then hits its limit every few tens of MB sent, and the server spent half its CPU in full
// collections during a reconnect storm (bench W4: 1000 proxies re-reading 0.7 MB each,
// ~90 mark-compacts). Growing the limit to twice the live heap after each collection
// halves that cost at no measured cost in peak RSS (W4 peak 350–400 MB either way).
import { setFlagsFromString } from 'node:v8';

/** --heap-growing-percent: the next collection when the heap reaches (1 + p/100) × live. */
export const HEAP_GROWING_PERCENT = 100;

/** Applies HEAP_GROWING_PERCENT unless the process was started with its own. */
export function tuneGcForFanOut(): void {
  if (process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
