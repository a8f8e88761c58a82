#!/usr/bin/env node
// mini-istiod's command line: `serve` runs the control plane; `config-dump` prints,
// offline, what one proxy would receive.
import { Command, InvalidArgumentError, Option } from 'commander';
import { runServe } from './serve.js';
import { runConfigDump } from './config-dump.js';
import { collectMetadata, parseDurationFlag, parseHostPort, parseLogFormat, parseLogLevel } from './options.js';
import { registerDebugCommands } from './debug-commands.js';
import { parseNamespaces } from '../sources/kube/kube-config.js';

/** A non-negative integer flag (--push-throttle, --max-streams-per-second, --max-initializing-streams). */
function parseCountFlag(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

const program = new Command()
  .name('mini-istiod')
  .description('A small, readable xDS control plane: Kubernetes and Istio config in, Envoy LDS/RDS/CDS/EDS out.')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (str, write) => write(str) });

program
  .command('serve')
  .description('Serve xDS (ADS: state of the world and delta) on --grpc-addr; /ready, /metrics, /debug/* and the /ui on --http-addr.')
  .option('--config-dir <dir>', 'directory tree of Kubernetes/Istio YAML to read and watch')
  .option('--mesh-config <file>', 'MeshConfig YAML (outboundTrafficPolicy, defaultConfig, trustDomain, rootNamespace)')
  .option('--kubeconfig <path>', 'watch the Kubernetes API server this kubeconfig names')
  .option('--kube-context <name>', "kubeconfig context to use (default: the file's current-context)")
  .option('--in-cluster', 'watch the cluster this pod runs in (automatic in a pod given neither --kubeconfig nor --config-dir)')
  .addOption(new Option('--namespaces <ns,...>', 'watch only these namespaces (default: all)').argParser(parseNamespaces))
  .addOption(new Option('--grpc-addr <host:port>', 'xDS gRPC listen address').default(parseHostPort('0.0.0.0:15010'), '0.0.0.0:15010').argParser(parseHostPort))
  .addOption(new Option('--http-addr <host:port>', 'HTTP listen address for /ready and /metrics').default(parseHostPort('0.0.0.0:15014'), '0.0.0.0:15014').argParser(parseHostPort))
  .addOption(new Option('--debounce-after <duration>', 'quiet time after a change before pushing (PILOT_DEBOUNCE_AFTER)').default(100, '100ms').argParser(parseDurationFlag))
  .addOption(new Option('--debounce-max <duration>', 'longest a change waits for quiet (PILOT_DEBOUNCE_MAX)').default(10_000, '10s').argParser(parseDurationFlag))
  .addOption(new Option('--push-throttle <n>', 'concurrent pushes (PILOT_PUSH_THROTTLE); default min(15 + 5 × cores, 100)').argParser(parseCountFlag))
  .addOption(new Option('--max-streams-per-second <n>', 'new xDS streams per second, 0 = unlimited (PILOT_MAX_REQUESTS_PER_SECOND; Istio defaults to min(15 + 5 × cores, 100))').default(0).argParser(parseCountFlag))
  .addOption(new Option('--max-initializing-streams <n>', 'new xDS streams taking their first full config at once; later ones wait their turn; 0 = unlimited').default(100).argParser(parseCountFlag))
  .addOption(new Option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent').default('info').argParser(parseLogLevel))
  .addOption(new Option('--log-format <format>', 'json or text').default('json').argParser(parseLogFormat))
  .action(runServe);

program
  .command('config-dump')
  .description("Print, offline, the resources one proxy would receive, in the shape of Envoy's admin /config_dump.")
  .requiredOption('--config-dir <dir>', 'directory tree of Kubernetes/Istio YAML')
  .requiredOption('--node-id <id>', 'xDS node id, e.g. sidecar~127.0.0.10~productpage-v1.default~default.svc.cluster.local')
  .option('--node-cluster <name>', 'xDS node cluster', '')
  .option('--metadata <key=value>', 'node metadata (repeatable), e.g. GENERATOR=grpc, LABELS={"app":"x"}', collectMetadata, {})
  .option('--mesh-config <file>', 'MeshConfig YAML')
  .addOption(new Option('-o, --output <format>', 'json or yaml').choices(['json', 'yaml']).default('json'))
  .action(runConfigDump);

registerDebugCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`mini-istiod: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
