// A raw SotW client that behaves like an Envoy sidecar on one ADS stream: it asks for all
// clusters and listeners, then for the EDS of the clusters and the RDS of the listeners it
// got, and ACKs every response with the names it still wants. Told to, it NACKs the next
// response of a type instead, as Envoy does when it rejects config.
import { RawXdsClient, TYPE, type RawResponse } from '../support/raw-xds-client.js';

export class EnvoyLikeClient {
  readonly raw: RawXdsClient;
  private readonly accepted = new Map<string, string>();
  private readonly nackNext = new Map<string, string>();
  private readonly wanted = new Map<string, string[]>();
  private closed = false;
  /** Every response received, in order (for assertions). */
  readonly responses: RawResponse[] = [];

  constructor(port: number, readonly nodeId: string) {
    this.raw = new RawXdsClient(port);
    const [, ip, podNs] = nodeId.split('~');
    const [pod, ns] = (podNs ?? '').split('.');
    const node = { id: nodeId, cluster: `${pod}.${ns}`, metadata: { NAMESPACE: ns ?? 'default', INSTANCE_IPS: ip ?? '' } };
    this.raw.send({ typeUrl: TYPE.CDS, node });
    this.raw.send({ typeUrl: TYPE.LDS });
    void this.pump();
  }

  /** The next response of `typeUrl` is NACKed with `message`. */
  rejectNext(typeUrl: string, message: string): void {
    this.nackNext.set(typeUrl, message);
  }

  close(): void {
    this.closed = true;
    this.raw.close();
  }

  private async pump(): Promise<void> {
    while (!this.closed) {
      let r: RawResponse;
      try {
        r = await this.raw.next(60_000);
      } catch {
        continue;
      }
      this.responses.push(r);
      this.answer(r);
    }
  }

  private answer(r: RawResponse): void {
    const nack = this.nackNext.get(r.typeUrl);
    const names = this.wanted.get(r.typeUrl) ?? [];
    if (nack !== undefined) {
      this.nackNext.delete(r.typeUrl);
      this.raw.nack(r, this.accepted.get(r.typeUrl) ?? '', nack, names);
      return;
    }
    this.accepted.set(r.typeUrl, r.versionInfo);
    this.raw.ack(r, names);
    // Like Envoy: clusters and listeners name what to ask EDS and RDS for.
    if (r.typeUrl === TYPE.CDS) this.want(TYPE.EDS, r.names.filter((n) => n.startsWith('outbound|')));
    if (r.typeUrl === TYPE.LDS) this.want(TYPE.RDS, r.names.filter((n) => /^0\.0\.0\.0_\d+$/.test(n)).map((n) => n.split('_')[1]!));
  }

  private want(typeUrl: string, names: string[]): void {
    const before = this.wanted.get(typeUrl);
    const sorted = [...names].sort();
    if (before && before.join() === sorted.join()) return;
    this.wanted.set(typeUrl, sorted);
    // A changed subscription is a new request carrying the last accepted version and nonce.
    this.raw.send({ typeUrl, resourceNames: sorted, versionInfo: this.accepted.get(typeUrl) ?? '', responseNonce: this.lastNonce(typeUrl) });
  }

  private lastNonce(typeUrl: string): string {
    for (let i = this.responses.length - 1; i >= 0; i--) if (this.responses[i]!.typeUrl === typeUrl) return this.responses[i]!.nonce;
    return '';
  }
}
