// Golden tests: every case in testdata/ translated per proxy and compared with its
// .out.yaml; every resource must encode strictly and pass Envoy's validate rules.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeResource } from '../../src/envoy/codec.js';
import { tryLookupType, typeNameFromUrl } from '../../src/envoy/protos.js';
import { validateMessage } from '../../src/envoy/validate.js';
import { runCase } from './harness.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const cases = readdirSync(dir).filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length)).sort();
const update = process.env['UPDATE_GOLDEN'] === '1';

/**
 * Istio's retry host predicate is an Any of PreviousHostsPredicate, whose proto is not in
 * proto/ yet (scripts/sync-protos.mjs needs the entry point
 * envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto). Until it is, the
 * strict codec cannot encode it: we check everything else by dropping that one Any's
 * payload. Once the proto is synced this becomes a no-op and the check is fully strict.
 */
const PREVIOUS_HOSTS = 'envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate';
const previousHostsMissing = !tryLookupType(PREVIOUS_HOSTS);
function encodable(body: Record<string, unknown>): Record<string, unknown> {
  if (!previousHostsMissing) return body;
  return JSON.parse(JSON.stringify(body), (k, v: unknown) =>
    k === 'typedConfig' && (v as { '@type'?: string })['@type'] === `type.googleapis.com/${PREVIOUS_HOSTS}` ? undefined : v,
  ) as Record<string, unknown>;
}

describe('golden', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  for (const name of cases) {
    describe(name, () => {
      const input = readFileSync(join(dir, `${name}.in.yaml`), 'utf8');
      const { outputs, rendered } = runCase(input);
      const outFile = join(dir, `${name}.out.yaml`);

      it('matches the golden output', () => {
        if (update || !existsSync(outFile)) writeFileSync(outFile, rendered);
        expect(rendered).toBe(readFileSync(outFile, 'utf8'));
      });

      it('every resource encodes strictly and passes validate rules', () => {
        for (const { spec, out } of outputs) {
          for (const r of out.resources) {
            const where = `${spec.name} ${r.typeUrl} ${r.name}`;
            const body = encodable(r.body);
            expect(() => encodeResource(r.typeUrl, body), where).not.toThrow();
            expect(validateMessage(typeNameFromUrl(r.typeUrl), body), where).toEqual([]);
          }
        }
      });

      it('is deterministic, also with the input documents shuffled', () => {
        expect(runCase(input).rendered).toBe(rendered);
        const docs = input.split(/^---$/m).map((d) => d.trim()).filter((d) => d !== '');
        expect(runCase(docs.reverse().join('\n---\n')).rendered).toBe(rendered);
      });
    });
  }
});
