// Captures a real xDS session for docs/xds-walkthrough.md: a control plane on Bookinfo, a
// raw SotW client acting as Envoy (CDS, EDS, LDS, RDS, each ACKed), a VirtualService edit
// that pushes new routes, a NACK on purpose, and the fix. The normalized trace must equal
// docs/walkthrough-trace.yaml; run with UPDATE_WALKTHROUGH=1 to regenerate it.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startControlPlane } from '../../src/cli/control-plane.js';
import { decodeResource } from '../../src/envoy/codec.js';
import { copyBookinfo } from '../cli/bookinfo-copy.js';
import { routeAllTo } from '../support/bookinfo.js';
import { RawXdsClient, TYPE, type RequestInput } from '../support/raw-xds-client.js';
import { TraceRecorder } from './trace.js';

const TRACE = fileURLToPath(new URL('../../docs/walkthrough-trace.yaml', import.meta.url));
const NODE = RawXdsClient.sidecarNode('productpage-v1', 'default', '127.0.0.10');
const REVIEWS_V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local';

let cleanup: (() => Promise<void>) | undefined;
afterAll(async () => cleanup?.());

/** Only the reviews virtual host of a route configuration: the part the edits change. */
function reviewsOnly(rc: Record<string, unknown>): Record<string, unknown> {
  const vhosts = (rc['virtualHosts'] as { name: string }[]).filter((v) => v.name.startsWith('reviews.'));
  return { ...rc, virtualHosts: vhosts };
}

describe('xDS walkthrough', () => {
  it('captures a session and matches docs/walkthrough-trace.yaml', async () => {
    const dir = copyBookinfo('mini-istiod-walkthrough-');
    const cp = await startControlPlane({ configDir: dir, grpcAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', debounceAfterMs: 20 });
    const client = new RawXdsClient(cp.grpcPort);
    cleanup = async () => {
      client.close();
      await cp.close();
      rmSync(dir, { recursive: true, force: true });
    };
    const t = new TraceRecorder();
    const send = (what: string, req: RequestInput) => {
      t.request(what, req);
      client.send(req);
    };
    const ack = (r: Awaited<ReturnType<typeof client.next>>, names: string[]) =>
      send('ACK', { typeUrl: r.typeUrl, versionInfo: r.versionInfo, responseNonce: r.nonce, resourceNames: names });

    // A push goes out in make-before-break order (CDS, EDS, LDS, RDS) and only with what
    // changed; a route edit normally changes RDS alone, but record (and ACK) whatever comes first.
    const untilRds = async (what: string) => {
      for (;;) {
        const r = await client.next(5000);
        t.response(what, r, r.typeUrl === TYPE.RDS ? '9080' : undefined, r.typeUrl === TYPE.RDS ? reviewsOnly : undefined);
        if (r.typeUrl === TYPE.RDS) return r;
        ack(r, r.typeUrl === TYPE.EDS ? r.names : []);
      }
    };

    // 1. Clusters first: Envoy's ADS bootstrap asks CDS (wildcard) with its node.
    send('request (first on the stream: carries node)', { node: NODE, typeUrl: TYPE.CDS });
    const cds = await client.next();
    t.response('every cluster this sidecar may call', cds, REVIEWS_V1);
    ack(cds, []);
    // The EDS clusters' service names are what Envoy subscribes to.
    const edsNames = cds.resources
      .map((a) => decodeResource(cds.typeUrl, a.value))
      .filter((c) => c['type'] === 'EDS')
      .map((c) => ((c['edsClusterConfig'] as Record<string, unknown>)['serviceName'] as string) ?? (c['name'] as string))
      .sort();
    send('request: endpoints of the warming EDS clusters', { typeUrl: TYPE.EDS, resourceNames: edsNames });
    const eds = await client.next();
    t.response('one ClusterLoadAssignment per requested cluster', eds, REVIEWS_V1);
    ack(eds, edsNames);

    // 2. Listeners, then the route configurations they name.
    send('request (wildcard)', { typeUrl: TYPE.LDS });
    const lds = await client.next();
    t.response('the sidecar\'s listeners', lds, '0.0.0.0_9080');
    ack(lds, []);
    send('request: the route configuration listener 0.0.0.0_9080 names', { typeUrl: TYPE.RDS, resourceNames: ['9080'] });
    const rds = await client.next();
    t.response('route configuration 9080 (reviews virtual host shown)', rds, '9080', reviewsOnly);
    ack(rds, ['9080']);
    await client.expectNothing(200);

    // 3. A config change: only what changed for this proxy is pushed.
    t.note('edit virtual-service-reviews-test-v2.yaml: route all reviews traffic to v3');
    writeFileSync(join(dir, 'virtual-service-reviews-test-v2.yaml'), routeAllTo('v3'));
    const push = await untilRds('pushed after the edit (debounced)');
    // 4. The proxy rejects it: NACK = error_detail set, version_info = the last version it accepted.
    send('NACK (on purpose)', {
      typeUrl: push.typeUrl,
      versionInfo: rds.versionInfo,
      responseNonce: push.nonce,
      resourceNames: ['9080'],
      errorDetail: { code: 3, message: 'route 9080: rejected on purpose by the walkthrough' },
    });
    await client.expectNothing(300);
    t.note('nothing is resent: mini-istiod waits for the config to change (syncz and proxy-status now say ERROR for RDS)');
    const row = (await (await fetch(`http://127.0.0.1:${cp.httpPort}/debug/syncz`)).json()) as { xds: Record<string, { status: string }> }[];
    expect(row[0]?.xds['rds']?.status).toBe('ERROR');

    // 5. The next change supersedes the rejected version.
    t.note('edit the file again: route all reviews traffic to v2');
    writeFileSync(join(dir, 'virtual-service-reviews-test-v2.yaml'), routeAllTo('v2'));
    const fixed = await untilRds('the next push');
    ack(fixed, ['9080']);
    await client.expectNothing(200);

    const text = `# Generated by test/walkthrough/capture.test.ts (UPDATE_WALKTHROUGH=1 to regenerate).\n# Nonces and build times are normalized; see docs/xds-walkthrough.md.\n${stringify(t.entries, { lineWidth: 0, aliasDuplicateObjects: false })}`;
    if (process.env['UPDATE_WALKTHROUGH'] === '1') writeFileSync(TRACE, text);
    else {
      if (!existsSync(TRACE)) throw new Error(`${TRACE} is missing: run UPDATE_WALKTHROUGH=1 npx vitest run test/walkthrough`);
      expect(text, 'docs/walkthrough-trace.yaml is stale: run UPDATE_WALKTHROUGH=1 npx vitest run test/walkthrough and review the doc').toBe(readFileSync(TRACE, 'utf8'));
    }
  });
});
