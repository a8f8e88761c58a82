// Prometheus metrics, named as Istio names them so dashboards built for istiod read ours.
// Each Metrics owns its Registry (never prom-client's global one): tests and several servers
// in one process must not share or double-register series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Short xDS type label (lds/rds/cds/eds), as Istio labels these series. */
export type TypeLabel = 'type';

export interface MetricsOptions {
  /** Also collect process_* and nodejs_* defaults (off in unit tests that build many). */
  processDefaults?: boolean;
}

// Convergence and push time span from milliseconds (one EDS push) to many seconds
// (debounce max plus a slow proxy); Istio uses similar buckets.
const TIME_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 3, 5, 10, 20, 30];
const SIZE_BUCKETS = [1, 1e3, 1e4, 1e5, 1e6, 1e7];

export class Metrics {
  readonly registry = new Registry();
  /** Connected xDS streams. */
  readonly xdsConnections: Gauge;
  readonly xdsPushes: Counter<TypeLabel>;
  readonly xdsRejects: Counter<TypeLabel>;
  /** Seconds from the first config event of a debounced batch to a proxy's ACK of the push. */
  readonly proxyConvergence: Histogram;
  /** Seconds spent generating and sending one response. */
  readonly xdsPushTime: Histogram<TypeLabel>;
  /** Seconds from the first event of a batch to the moment the debouncer released it. */
  readonly debounceTime: Histogram;
  readonly services: Gauge;
  readonly configSize: Histogram<TypeLabel>;
  /** New xDS streams refused by the --max-streams-per-second limiter (RESOURCE_EXHAUSTED). */
  readonly xdsStreamsRateLimited: Counter;

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    this.xdsConnections = new Gauge({ name: 'pilot_xds', help: 'Number of endpoints connected to this pilot using XDS.', registers });
    this.xdsPushes = new Counter({ name: 'pilot_xds_pushes', help: 'Pilot build and send errors for lds, rds, cds and eds.', labelNames: ['type'], registers });
    this.xdsRejects = new Counter({ name: 'pilot_total_xds_rejects', help: 'Total number of XDS responses from pilot rejected by proxy.', labelNames: ['type'], registers });
    this.proxyConvergence = new Histogram({ name: 'pilot_proxy_convergence_time', help: 'Delay in seconds between config change and a proxy receiving all required configuration.', buckets: TIME_BUCKETS, registers });
    this.xdsPushTime = new Histogram({ name: 'pilot_xds_push_time', help: 'Total time in seconds Pilot takes to push lds, rds, cds and eds.', labelNames: ['type'], buckets: TIME_BUCKETS, registers });
    this.debounceTime = new Histogram({ name: 'pilot_debounce_time', help: 'Delay in seconds between the first config enters debouncing and the merged push request is pushed into the push queue.', buckets: TIME_BUCKETS, registers });
    this.services = new Gauge({ name: 'pilot_services', help: 'Total services known to pilot.', registers });
    this.configSize = new Histogram({ name: 'pilot_xds_config_size_bytes', help: 'Distribution of configuration sizes pushed to clients', labelNames: ['type'], buckets: SIZE_BUCKETS, registers });
    this.xdsStreamsRateLimited = new Counter({ name: 'pilot_xds_rate_limited_streams', help: 'xDS streams refused with RESOURCE_EXHAUSTED by the new-stream rate limit.', registers });
    if (opts.processDefaults ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition and its content type, for GET /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
