// What one push covers, shared by the push controller (which decides) and the xDS server
// (which sends): the whole model, or only some clusters' endpoints.
import type { ConfigKey } from '../model/config.js';

/**
 * Full: every stream may need every type it watches recomputed. `changed` lists the config
 * objects the debounced batch touched; the server uses it to skip proxies and types the
 * change provably cannot affect. Without it (initial push, mesh config) nothing is skipped.
 * EDS: these clusters' endpoints, plus CDS/LDS that read the moved endpoints.
 */
export type PushScope =
  | { kind: 'full'; changed?: readonly ConfigKey[] | undefined }
  | {
      kind: 'eds';
      clusters: ReadonlySet<string>;
      /**
       * The hosts whose endpoints moved: the server also recomputes CDS/LDS for proxies
       * those endpoints can reach there (src/xds/endpoint-refresh.ts). Undefined = unknown:
       * every proxy recomputes them.
       */
      hosts?: ReadonlySet<string> | undefined;
    };
