import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { MetricSample, Metrics } from '../domain/metrics';

/** Seconds, from a click that lands at once to a request decided on its last day. */
export const DURATION_BUCKETS = [
  1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400,
];

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
  private readonly requests: Counter<'kind' | 'outcome'>;
  private readonly approvals: Counter<'kind'>;
  private readonly refusals: Counter<'action' | 'reason'>;
  private readonly stepFailures: Counter<'kind' | 'step'>;
  private readonly slackErrors: Counter<'method' | 'code'>;
  private readonly awsErrors: Counter<'service' | 'operation' | 'code'>;
  private readonly timeToDecision: Histogram<'kind' | 'outcome'>;
  private readonly timeToEffect: Histogram<'kind' | 'outcome'>;

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'vams_chatops_requests_total',
      help: 'Requests filed (outcome="filed") and requests that reached a terminal status',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.approvals = new Counter({
      name: 'vams_chatops_approvals_total',
      help: 'Approvals counted, one per approver',
      labelNames: ['kind'],
      registers,
    });
    this.refusals = new Counter({
      name: 'vams_chatops_refusals_total',
      help: 'Clicks and commands refused, by what was tried and why',
      labelNames: ['action', 'reason'],
      registers,
    });
    this.stepFailures = new Counter({
      name: 'vams_chatops_step_failures_total',
      help: 'Steps that failed, by request kind and step family',
      labelNames: ['kind', 'step'],
      registers,
    });
    this.slackErrors = new Counter({
      name: 'vams_chatops_slack_errors_total',
      help: 'Slack Web API calls that failed, by method and error code',
      labelNames: ['method', 'code'],
      registers,
    });
    this.awsErrors = new Counter({
      name: 'vams_chatops_aws_errors_total',
      help: 'AWS calls that failed after the SDK retries, by service, operation and error',
      labelNames: ['service', 'operation', 'code'],
      registers,
    });
    this.timeToDecision = new Histogram({
      name: 'vams_chatops_time_to_decision_seconds',
      help: 'From filing to approval, rejection, cancellation or expiry',
      labelNames: ['kind', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.timeToEffect = new Histogram({
      name: 'vams_chatops_time_to_effect_seconds',
      help: 'From filing to the end of a request that ran (succeeded or failed)',
      labelNames: ['kind', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
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
      switch (sample.metric) {
        case 'requests':
          this.requests.inc({ kind: sample.kind, outcome: sample.outcome });
          break;
        case 'approvals':
          this.approvals.inc({ kind: sample.kind });
          break;
        case 'refusals':
          this.refusals.inc({ action: sample.action, reason: sample.reason });
          break;
        case 'stepFailures':
          this.stepFailures.inc({ kind: sample.kind, step: sample.step });
          break;
        case 'slackErrors':
          this.slackErrors.inc({ method: sample.method, code: sample.code });
          break;
        case 'awsErrors':
          this.awsErrors.inc({
            service: sample.service,
            operation: sample.operation,
            code: sample.code,
          });
          break;
        case 'timeToDecision':
          this.timeToDecision.observe(
            { kind: sample.kind, outcome: sample.outcome },
            sample.seconds,
          );
          break;
        case 'timeToEffect':
          this.timeToEffect.observe({ kind: sample.kind, outcome: sample.outcome }, sample.seconds);
          break;
      }
    }
  }
}
