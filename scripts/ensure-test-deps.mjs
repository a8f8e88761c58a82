#!/usr/bin/env node
// Before the tests: the C-core end-to-end tests drive Debian's python3-grpcio (run with
// /usr/bin/python3) and the web UI test drives Debian's chromium. Install what is missing
// when we may (root with apt-get); otherwise say exactly what to run. The tests
// themselves fail, never skip, without them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const hasGrpc = () => spawnSync('/usr/bin/python3', ['-c', 'import grpc'], { stdio: 'ignore' }).status === 0;
const missing = [];
if (!hasGrpc()) missing.push('python3-grpcio');
if (!existsSync('/usr/bin/chromium')) missing.push('chromium');

if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log(`ensure-test-deps: installing ${missing.join(', ')} (used by test/e2e and test/ui)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  } else {
    console.warn(`ensure-test-deps: missing ${missing.join(', ')}; some tests will fail. Run: sudo apt-get install -y ${missing.join(' ')}`);
  }
}
