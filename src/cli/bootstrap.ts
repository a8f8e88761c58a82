// `mini-istiod bootstrap`: prints the bootstrap for an Envoy (YAML by default) or, with
// --grpc, for a proxyless gRPC client (JSON), pointed at this control plane.
import { stringify } from 'yaml';
import { InvalidArgumentError } from 'commander';
import { envoyBootstrap, grpcBootstrap } from './bootstrap-config.js';
import type { HostPort } from './options.js';

export interface BootstrapFlags {
  nodeId: string;
  xdsAddress: HostPort;
  nodeCluster?: string;
  adminPort: number;
  delta: boolean;
  grpc: boolean;
  output?: 'yaml' | 'json';
}

export function bootstrapText(flags: BootstrapFlags): string {
  if (flags.grpc && flags.delta) throw new InvalidArgumentError('--delta is for Envoy: gRPC clients speak state-of-the-world xDS only');
  const input = { nodeId: flags.nodeId, xdsAddress: flags.xdsAddress, nodeCluster: flags.nodeCluster, adminPort: flags.adminPort, delta: flags.delta };
  const doc = flags.grpc ? grpcBootstrap(input) : envoyBootstrap(input);
  // gRPC reads JSON only; Envoy reads either.
  const output = flags.output ?? (flags.grpc ? 'json' : 'yaml');
  return output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 });
}

export function runBootstrap(flags: BootstrapFlags): void {
  process.stdout.write(bootstrapText(flags));
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError(`expected a port 1..65535, got "${value}"`);
  return n;
}
