// The debugging commands (proxy-status, proxy-config, analyze, bootstrap), registered on
// the program in one call so that main.ts stays a short list of what exists.
import { Command, Option } from 'commander';
import { runAnalyze } from './analyze.js';
import { parsePort, runBootstrap } from './bootstrap.js';
import { DEFAULT_SERVER } from './debug-client.js';
import { parseHostPort } from './options.js';
import { runProxyConfig } from './proxy-config.js';
import { runProxyStatus } from './proxy-status.js';

const serverOption = () => new Option('--server <url>', 'the running mini-istiod\'s HTTP (monitoring) address').default(DEFAULT_SERVER);

export function registerDebugCommands(program: Command): void {
  program
    .command('proxy-status')
    .description('Show, for every connected proxy, whether it runs the config last sent (SYNCED, STALE, NOT SENT, ERROR) per type.')
    .addOption(serverOption())
    .action(runProxyStatus);

  program
    .command('proxy-config')
    .description("Show one connected proxy's clusters, listeners, routes or endpoints, as istioctl proxy-config does.")
    .argument('<type>', 'clusters, listeners, routes or endpoints')
    .argument('<proxy>', 'node id, pod.namespace, pod name, or a unique prefix of one')
    .addOption(serverOption())
    .addOption(new Option('-o, --output <format>', 'table, json or yaml').choices(['table', 'json', 'yaml']).default('table'))
    .action(runProxyConfig);

  program
    .command('analyze')
    .description("Check a config directory offline and print istioctl analyze's messages; exits 79 when any is an Error.")
    .requiredOption('--config-dir <dir>', 'directory tree of Kubernetes/Istio YAML')
    .option('--mesh-config <file>', 'MeshConfig YAML')
    .addOption(new Option('-o, --output <format>', 'log or json').choices(['log', 'json']).default('log'))
    .action(runAnalyze);

  program
    .command('bootstrap')
    .description('Print an Envoy bootstrap (YAML) or, with --grpc, a gRPC xDS bootstrap (JSON) that connects to mini-istiod.')
    .requiredOption('--node-id <id>', 'xDS node id, e.g. sidecar~127.0.0.10~productpage-v1.default~default.svc.cluster.local')
    .addOption(new Option('--xds-address <host:port>', 'where mini-istiod serves xDS').default(parseHostPort('127.0.0.1:15010'), '127.0.0.1:15010').argParser(parseHostPort))
    .option('--node-cluster <name>', 'node.cluster (default: pod.namespace from the node id)')
    .addOption(new Option('--admin-port <port>', 'Envoy admin port (on 127.0.0.1)').default(15000).argParser(parsePort))
    .option('--delta', 'use incremental (delta) xDS: ads_config.api_type DELTA_GRPC', false)
    .option('--grpc', 'a proxyless gRPC client bootstrap instead of Envoy\'s', false)
    .addOption(new Option('-o, --output <format>', 'yaml or json (default: yaml for Envoy, json for gRPC)').choices(['yaml', 'json']))
    .action(runBootstrap);
}
