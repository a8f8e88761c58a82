// A proxyless gRPC client (grpc-js + grpc-js-xds) driven over stdin/stdout, one JSON
// object per line. It runs as its own process because grpc-js-xds keeps one xDS client
// per process and reads its bootstrap (GRPC_XDS_BOOTSTRAP_CONFIG) from the environment.
//
// Commands (stdin)                                          Replies (stdout)
//   {"id":1,"op":"call","target":T,"count":N,               {"id":1,"event":"result","ok":N,
//    "metadata":{..},"timeoutMs":5000,"concurrency":10}       "byBackend":{..},"errors":{..},"details":{..}}
//   {"id":2,"op":"loop","target":T,"intervalMs":5,..}       {"id":2,"event":"call","start":ms,"end":ms,
//                                                             "backend":"reviews-v1"} or ..."error":"UNAVAILABLE"
//   {"id":3,"op":"stop"}                                    {"id":3,"event":"stopped","calls":N}
// On start it prints {"event":"ready"}. It exits when stdin closes, so a test that dies
// cannot leave it behind.
import grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import readline from 'node:readline';

xds.register();

const METHOD = '/echo.Echo/Whoami';
// WhoamiRequest has no fields: its encoding is empty.
const serialize = () => Buffer.alloc(0);

// WhoamiResponse { string name = 1 }: tag 0x0a, varint length, UTF-8 bytes. Other fields
// are not expected; anything unparseable is reported as a name so the test shows it.
function deserialize(buf) {
  if (buf.length === 0) return '';
  if (buf[0] !== 0x0a) return `<unexpected tag ${buf[0]}>`;
  let len = 0;
  let shift = 0;
  let i = 1;
  for (; i < buf.length; i++) {
    len |= (buf[i] & 0x7f) << shift;
    shift += 7;
    if ((buf[i] & 0x80) === 0) break;
  }
  return buf.subarray(i + 1, i + 1 + len).toString('utf8');
}

// One channel per target, kept for the life of the process: xDS updates must reach the
// same channel the test keeps calling, as they would in a real application.
const clients = new Map();
function clientFor(target) {
  let c = clients.get(target);
  if (!c) {
    c = new grpc.Client(target, grpc.credentials.createInsecure());
    clients.set(target, c);
  }
  return c;
}

function statusName(code) {
  return grpc.status[code] ?? String(code);
}

function callOnce(target, metadata, timeoutMs) {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata ?? {})) md.set(k, String(v));
  return new Promise((resolve) => {
    clientFor(target).makeUnaryRequest(
      METHOD,
      serialize,
      deserialize,
      {},
      md,
      { deadline: Date.now() + (timeoutMs ?? 5000) },
      (err, name) => {
        if (err) resolve({ error: statusName(err.code), message: err.details ?? err.message });
        else resolve({ backend: name });
      },
    );
  });
}

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function runCalls(cmd) {
  const count = cmd.count ?? 1;
  const concurrency = Math.max(1, Math.min(cmd.concurrency ?? 10, count));
  const result = { ok: 0, byBackend: {}, errors: {}, details: {} };
  let next = 0;
  async function worker() {
    while (next < count) {
      next++;
      const r = await callOnce(cmd.target, cmd.metadata, cmd.timeoutMs);
      if (r.backend !== undefined) {
        result.ok++;
        result.byBackend[r.backend] = (result.byBackend[r.backend] ?? 0) + 1;
      } else {
        result.errors[r.error] = (result.errors[r.error] ?? 0) + 1;
        result.details[r.error] ??= r.message; // one sample message per code, for diagnosis
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  send({ id: cmd.id, event: 'result', ...result });
}

let loop; // { id, stopped, calls, done: Promise }

function startLoop(cmd) {
  if (loop) {
    send({ id: cmd.id, event: 'error', message: 'a loop is already running' });
    return;
  }
  const state = { id: cmd.id, stopped: false, calls: 0 };
  state.done = (async () => {
    while (!state.stopped) {
      const start = Date.now();
      const r = await callOnce(cmd.target, cmd.metadata, cmd.timeoutMs ?? 2000);
      state.calls++;
      send({ id: cmd.id, event: 'call', start, end: Date.now(), ...r });
      await new Promise((res) => setTimeout(res, cmd.intervalMs ?? 5));
    }
  })();
  loop = state;
}

async function stopLoop(cmd) {
  const state = loop;
  loop = undefined;
  if (!state) {
    send({ id: cmd.id, event: 'stopped', calls: 0 });
    return;
  }
  state.stopped = true;
  await state.done;
  send({ id: cmd.id, event: 'stopped', calls: state.calls });
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    send({ event: 'error', message: `bad command: ${e.message}` });
    return;
  }
  const fail = (e) => send({ id: cmd.id, event: 'error', message: String(e?.stack ?? e) });
  switch (cmd.op) {
    case 'call':
      runCalls(cmd).catch(fail);
      break;
    case 'loop':
      startLoop(cmd);
      break;
    case 'stop':
      stopLoop(cmd).catch(fail);
      break;
    default:
      send({ id: cmd.id, event: 'error', message: `unknown op ${cmd.op}` });
  }
});
rl.on('close', () => process.exit(0));

send({ event: 'ready', pid: process.pid });
