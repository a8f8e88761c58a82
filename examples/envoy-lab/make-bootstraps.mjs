#!/usr/bin/env node
// Regenerates bootstrap/: for each proxy in proxies.json, `<name>.yaml` is exactly what
// `mini-istiod bootstrap` prints for it, and `<name>.lab.yaml` is what the lab adds on top
// (Envoy merges it in with --config-yaml; see README.md, "How traffic reaches the sidecars").
// Run from anywhere after `npm run build`:   node examples/envoy-lab/make-bootstraps.mjs
// (MINI_ISTIOD_MAIN=path/to/main.js runs another build of the CLI.)
// test/lab/lab.test.ts fails when the committed files differ from what this writes.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAB = dirname(fileURLToPath(import.meta.url));
const CLI = process.env.MINI_ISTIOD_MAIN ?? join(LAB, '..', '..', 'dist', 'src', 'cli', 'main.js');
const { xdsAddress, proxies } = JSON.parse(readFileSync(join(LAB, 'proxies.json'), 'utf8'));

function nodeId(p) {
  return `${p.kind}~${p.ip}~${p.name}.${p.namespace}~${p.namespace}.svc.cluster.local`;
}

for (const p of proxies) {
  const out = execFileSync(process.execPath, [CLI, 'bootstrap', '--node-id', nodeId(p), '--xds-address', xdsAddress], { encoding: 'utf8' });
  writeFileSync(join(LAB, 'bootstrap', `${p.name}.yaml`), out);
  writeFileSync(join(LAB, 'bootstrap', `${p.name}.lab.yaml`), labOverlay(p));
  console.log(`bootstrap/${p.name}.yaml, bootstrap/${p.name}.lab.yaml`);
}

/** The lab's additions for one proxy, as YAML (generated: edit this function, not the files). */
function labOverlay(p) {
  const labels = Object.entries(p.labels).map(([k, v]) => `      ${k}: ${v}`).join('\n');
  const head = `# Merged by Envoy over ${p.name}.yaml (envoy -c ${p.name}.yaml --config-yaml "$(cat ${p.name}.lab.yaml)").
# Written by ../make-bootstraps.mjs. Istio's agent would send the pod's labels; here they are
# static. Admin listens on all addresses so the host can reach it through a published port.
node:
  metadata:
    NAMESPACE: ${p.namespace}
    LABELS:
${labels}
admin:
  address:
    socket_address:
      address: 0.0.0.0
      port_value: 15000
`;
  if (p.kind !== 'sidecar') return head;
  // Sidecars only: without iptables nothing reaches the LDS listeners (they do not bind), so
  // the app calls this one explicitly. It routes by Host with the same RDS config, "9080".
  return `${head}static_resources:
  listeners:
    - name: lab_outbound_http
      address:
        socket_address:
          address: 127.0.0.1
          port_value: 15080
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: lab_outbound_http
                rds:
                  config_source:
                    ads: {}
                    resource_api_version: V3
                  route_config_name: "9080"
                http_filters:
                  - name: envoy.filters.http.fault
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
`;
}
