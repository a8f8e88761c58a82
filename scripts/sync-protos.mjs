#!/usr/bin/env node
// Syncs proto/ from the Envoy, xDS, validate and googleapis protos that the pinned
// @grpc/grpc-js-xds package ships under deps/. Only the transitive import closure of
// ENTRY_POINTS is copied, so proto/ holds exactly what mini-istiod loads.
// Run with `npm run sync-protos`; the result is committed and is reproducible from
// the version of @grpc/grpc-js-xds pinned in package-lock.json.
import { readFileSync, mkdirSync, copyFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const xdsPkgDir = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const xdsPkg = JSON.parse(readFileSync(join(xdsPkgDir, 'package.json'), 'utf8'));
const deps = join(xdsPkgDir, 'deps');
const includeDirs = ['envoy-api', 'xds', 'protoc-gen-validate', 'googleapis'].map((d) => join(deps, d));

export const ENTRY_POINTS = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/admin/v3/config_dump.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.proto',
];

// protobufjs bundles most google/protobuf/*.proto well-known types itself (its
// `common` set); the rest (descriptor.proto) is copied from the protobufjs package.
const bundledByProtobufjs = new Set(['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers']
  .map((n) => `google/protobuf/${n}.proto`));
const builtIn = (p) => bundledByProtobufjs.has(p);
const protobufjsDir = dirname(require.resolve('protobufjs/package.json'));

function locate(rel) {
  for (const dir of [...includeDirs, protobufjsDir]) {
    const full = join(dir, rel);
    if (existsSync(full)) return full;
  }
  throw new Error(`proto import not found in @grpc/grpc-js-xds deps: ${rel}`);
}

const seen = new Set();
const queue = [...ENTRY_POINTS];
while (queue.length > 0) {
  const rel = queue.pop();
  if (seen.has(rel) || builtIn(rel)) continue;
  seen.add(rel);
  const text = readFileSync(locate(rel), 'utf8');
  for (const m of text.matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)) queue.push(m[1]);
}

const out = join(root, 'proto');
for (const sub of ['envoy', 'xds', 'udpa', 'validate', 'google']) rmSync(join(out, sub), { recursive: true, force: true });
const files = [...seen].sort();
for (const rel of files) {
  mkdirSync(dirname(join(out, rel)), { recursive: true });
  copyFileSync(locate(rel), join(out, rel));
}
writeFileSync(
  join(out, 'SOURCE.md'),
  `# Where these protos come from\n\nCopied by \`npm run sync-protos\` (scripts/sync-protos.mjs) from the deps/ folder of\n@grpc/grpc-js-xds@${xdsPkg.version} (envoy-api, xds, protoc-gen-validate, googleapis).\nOnly the import closure of the entry points listed in the script is kept (${files.length} files).\nDo not edit by hand: change the pinned version or the entry points and run the script again.\n`,
);
console.log(`synced ${files.length} proto files from @grpc/grpc-js-xds@${xdsPkg.version}`);
