// `mini-istiod analyze` on fixture directories: each message code with istioctl's text and
// the line of the offending field, errors sorted first, and the exit-code rule (Error → 79,
// Warning and Info alone → 0).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeDir, EXIT_ISSUES_FOUND, hasErrors } from '../../src/analyze/analyze.js';
import { formatMessage } from '../../src/analyze/messages.js';
import { parseFieldPath } from '../../src/analyze/load.js';
import { renderMessages } from '../../src/cli/analyze.js';
import { copyBookinfo } from '../cli/bookinfo-copy.js';

const FIX = 'test/analyze/fixtures';

describe('analyze', () => {
  it('reports IST0101 (host, subset, gateway), IST0106 and IST0109 in istioctl\'s format', async () => {
    const lines = (await analyzeDir(`${FIX}/errors`)).map(formatMessage);
    const conflict =
      'The VirtualServices default/reviews,default/reviews-canary associated with mesh gateway define the same host reviews.default.svc.cluster.local which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.';
    expect(lines).toEqual([
      `Error [IST0106] (DestinationRule default/ratings ${FIX}/errors/schema.yaml:12) Schema validation error: spec.subsetz: unknown field "subsetz"`,
      `Error [IST0109] (VirtualService default/reviews ${FIX}/errors/virtual-services.yaml:9) ${conflict}`,
      `Error [IST0101] (VirtualService default/reviews ${FIX}/errors/virtual-services.yaml:12) Referenced gateway not found: "bookinfo-gateway"`,
      `Error [IST0101] (VirtualService default/reviews ${FIX}/errors/virtual-services.yaml:17) Referenced host+subset in destinationrule not found: "reviews+v9"`,
      `Error [IST0101] (VirtualService default/reviews ${FIX}/errors/virtual-services.yaml:20) Referenced host not found: "ratings"`,
      `Error [IST0109] (VirtualService default/reviews-canary ${FIX}/errors/virtual-services.yaml:30) ${conflict}`,
    ]);
  });

  it('reports IST0104 (Warning) and IST0118 (Info), which do not fail the run', async () => {
    const messages = await analyzeDir(`${FIX}/warnings`);
    expect(messages.map(formatMessage)).toEqual([
      `Warning [IST0104] (Gateway default/bookinfo-gateway ${FIX}/warnings/gateway.yaml:17) The gateway refers to a port that is not exposed on the workload (pod selector istio=ingressgateway; port 443)`,
      `Info [IST0118] (Service default/istio-ingressgateway ${FIX}/warnings/gateway.yaml:33) Port name web (port: 80, targetPort: 8080) doesn't follow the naming convention of Istio port.`,
    ]);
    expect(hasErrors(messages)).toBe(false);
  });

  it('finds nothing in the Bookinfo example', async () => {
    const dir = copyBookinfo('analyze-bookinfo-');
    try {
      const messages = await analyzeDir(dir);
      expect(messages).toEqual([]);
      expect(renderMessages(messages, 'log', dir)).toBe(`\u2714 No validation issues found when analyzing ${dir}.\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a YAML syntax error is IST0106 with the file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyze-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n');
      const [m] = await analyzeDir(dir);
      expect(m?.type.code).toBe('IST0106');
      expect(formatMessage(m!)).toMatch(new RegExp(`^Error \\[IST0106\\] \\(${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/bad.yaml:\\d+\\) Schema validation error: YAML syntax error`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-o json gives code, level, message, resource and origin', async () => {
    const [first] = JSON.parse(renderMessages(await analyzeDir(`${FIX}/warnings`), 'json', '')) as Record<string, unknown>[];
    expect(first).toEqual({
      code: 'IST0104',
      name: 'GatewayPortNotOnWorkload',
      level: 'Warning',
      message: 'The gateway refers to a port that is not exposed on the workload (pod selector istio=ingressgateway; port 443)',
      resource: 'Gateway default/bookinfo-gateway',
      origin: `${FIX}/warnings/gateway.yaml:17`,
      documentation_url: 'https://istio.io/latest/docs/reference/config/analysis/ist0104/',
    });
  });

  it('parses field paths the schemas print', () => {
    expect(parseFieldPath('spec.http[0].route[1].destination')).toEqual(['spec', 'http', 0, 'route', 1, 'destination']);
    expect(parseFieldPath('metadata.labels["a.b/c"]')).toEqual(['metadata', 'labels', 'a.b/c']);
    expect(EXIT_ISSUES_FOUND).toBe(79);
  });
});
