import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import {
  type CountName,
  labelsOf,
  type MetricSample,
  type Metrics,
  type TimingName,
} from '../domain/metrics';

/** Seconds, from a click that lands at once to a request decided on its last day. */
export const DURATION_BUCKETS = [
  1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400,
];

interface Series {
  name: string;
  help: string;
  labelNames: readonly string[];
}

const COUNTERS: Record<CountName, Series> = {
  requests: {
    name: 'vams_chatops_requests_total',
    help: 'Requests filed (outcome="filed") and requests that reached a terminal status',
    labelNames: ['kind', 'outcome'],
  },
  approvals: {
    name: 'vams_chatops_approvals_total',
    help: 'Approvals counted, one per approver',
    labelNames: ['kind'],
  },
  refusals: {
    name: 'vams_chatops_refusals_total',
    help: 'Clicks and commands refused, by what was tried and why',
    labelNames: ['action', 'reason'],
  },
  stepFailures: {
    name: 'vams_chatops_step_failures_total',
    help: 'Steps that failed, by request kind and step family',
    labelNames: ['kind', 'step'],
  },
  slackErrors: {
    name: 'vams_chatops_slack_errors_total',
    help: 'Slack Web API calls that failed, by method and error code',
    labelNames: ['method', 'code'],
  },
  awsErrors: {
    name: 'vams_chatops_aws_errors_total',
    help: 'AWS calls that failed after the SDK retries, by service, operation and error',
    labelNames: ['service', 'operation', 'code'],
  },
};

const HISTOGRAMS: Record<TimingName, Series> = {
  timeToDecision: {
    name: 'vams_chatops_time_to_decision_seconds',
    help: 'From filing to approval, rejection, cancellation or expiry',
    labelNames: ['kind', 'outcome'],
  },
  timeToEffect: {
    name: 'vams_chatops_time_to_effect_seconds',
    help: 'From filing to the end of a request that ran (succeeded or failed)',
    labelNames: ['kind', 'outcome'],
  },
};

function each<Name extends string, T>(
  table: Record<Name, Series>,
  build: (series: Series) => T,
): Record<Name, T> {
  const built: Partial<Record<Name, T>> = {};
  for (const name of Object.keys(table) as Name[]) built[name] = build(table[name]);
  return built as Record<Name, T>;
}

export interface PrometheusMetricsOptions {
  /** Node's own process metrics (CPU, memory, event loop lag) on the same registry. */
  processMetrics?: boolean;
}

/**
 * The samples as Prometheus series, on a registry of its own: two of these (two bots in one
 * test process) never share or clash over a series.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly counters: Record<CountName, Counter<string>>;
  private readonly histograms: Record<TimingName, Histogram<string>>;

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    this.counters = each(
      COUNTERS,
      (series) => new Counter({ ...series, labelNames: [...series.labelNames], registers }),
    );
    this.histograms = each(
      HISTOGRAMS,
      (series) =>
        new Histogram({
          ...series,
          labelNames: [...series.labelNames],
          buckets: DURATION_BUCKETS,
          registers,
        }),
    );
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The `/metrics` body, in the text format `contentType` names. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  record(samples: readonly MetricSample[]): void {
    for (const sample of samples) {
      if ('seconds' in sample) {
        this.histograms[sample.metric].observe(labelsOf(sample), sample.seconds);
      } else {
        this.counters[sample.metric].inc(labelsOf(sample));
      }
    }
  }
}
