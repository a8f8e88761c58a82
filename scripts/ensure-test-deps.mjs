#!/usr/bin/env node
// Before the tests: the C-core end-to-end tests drive Debian's python3-grpcio (run with
// /usr/bin/python3). Install it when it is missing and we may (root with apt-get);
// otherwise say exactly what to run. The tests themselves fail, never skip, without it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const hasGrpc = () => spawnSync('/usr/bin/python3', ['-c', 'import grpc'], { stdio: 'ignore' }).status === 0;

if (!hasGrpc()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('ensure-test-deps: installing python3-grpcio (the C-core xDS client used by test/e2e)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'python3-grpcio'], { stdio: 'inherit', env });
  } else {
    console.warn('ensure-test-deps: /usr/bin/python3 has no grpc module; the C-core tests will fail. Run: sudo apt-get install -y python3-grpcio');
  }
}
