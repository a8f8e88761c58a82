// What the xDS server tells observers (the debug API, the UI's live timeline, the xDS
// walkthrough capture): one event per connection change and per message that matters.
// Observers run synchronously on the hot path: they must only record, never block.
import type { Proxy } from '../translate/proxy.js';

interface Base {
  /** Connection id (unique per stream). */
  conn: string;
  /** node.id. */
  proxy: string;
  time: Date;
}

export type XdsEvent =
  | (Base & {
      kind: 'connect';
      proxyKind: string;
      peer: string;
      protocol: 'sotw' | 'delta';
      /** Everything the node said about itself (labels, metadata, user agent). */
      node: Proxy;
    })
  | (Base & { kind: 'disconnect'; reason: string })
  | (Base & { kind: 'request'; typeUrl: string; names: string[]; nonce: string; version: string })
  | (Base & {
      kind: 'send';
      typeUrl: string;
      version: string;
      nonce: string;
      names: string[];
      /** Names the response removes (delta only). */
      removed?: string[];
      bytes: number;
    })
  | (Base & { kind: 'ack'; typeUrl: string; version: string; nonce: string })
  | (Base & { kind: 'nack'; typeUrl: string; version: string; nonce: string; message: string });

export type XdsObserver = (event: XdsEvent) => void;
