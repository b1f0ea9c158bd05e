import { MetricUnit, Metrics as Powertools } from '@aws-lambda-powertools/metrics';
import { labelsOf, type MetricName, type MetricSample, type Metrics } from '../domain/metrics';

export const EMF_NAMESPACE = 'VamsChatops';
export const EMF_SERVICE = 'vams-chatops';

const NAMES: Record<MetricName, string> = {
  requests: 'Requests',
  approvals: 'Approvals',
  refusals: 'Refusals',
  stepFailures: 'StepFailures',
  slackErrors: 'SlackErrors',
  awsErrors: 'AwsErrors',
  timeToDecision: 'TimeToDecision',
  timeToEffect: 'TimeToEffect',
};

// Past this many distinct series waiting, they are published at once: memory stays bounded in
// a long invocation.
const MAX_WAITING = 100;

function dimensionsOf(sample: MetricSample): Record<string, string> {
  const { service, ...labels } = labelsOf(sample);
  // `service` is Powertools' own dimension (this bot, on every metric).
  return service === undefined ? labels : { awsService: service, ...labels };
}

interface Waiting {
  name: string;
  dimensions: Record<string, string>;
  /** Counts add up; times are kept each, as a histogram's samples. */
  count: number;
  seconds: number[];
}

export interface EmfMetricsOptions {
  namespace?: string;
  serviceName?: string;
}

/**
 * The samples as CloudWatch metrics in the embedded metric format, written to stdout, which a
 * Lambda function's log group turns into metrics. Samples wait until `publish()`, to be called
 * before each invocation returns: counts of one series are added into one value.
 *
 * Powertools shares dimensions across all metrics it buffers, so each series is written as a
 * single metric of its own with its own dimensions.
 */
export class EmfMetrics implements Metrics {
  private readonly powertools: Powertools;
  private waiting = new Map<string, Waiting>();

  constructor(options: EmfMetricsOptions = {}) {
    this.powertools = new Powertools({
      namespace: options.namespace ?? EMF_NAMESPACE,
      serviceName: options.serviceName ?? EMF_SERVICE,
    });
  }

  record(samples: readonly MetricSample[]): void {
    for (const sample of samples) {
      const name = NAMES[sample.metric];
      const dimensions = dimensionsOf(sample);
      const key = JSON.stringify([name, dimensions]);
      const entry = this.waiting.get(key) ?? { name, dimensions, count: 0, seconds: [] };
      if ('seconds' in sample) entry.seconds.push(sample.seconds);
      else entry.count += 1;
      this.waiting.set(key, entry);
    }
    if (this.waiting.size > MAX_WAITING) this.publish();
  }

  /** Writes every waiting series; nothing when none waits. */
  publish(): void {
    const waiting = [...this.waiting.values()];
    this.waiting = new Map();
    for (const { name, dimensions, count, seconds } of waiting) {
      if (count > 0) this.emit(name, dimensions, MetricUnit.Count, count);
      for (const value of seconds) this.emit(name, dimensions, MetricUnit.Seconds, value);
    }
  }

  private emit(
    name: string,
    dimensions: Record<string, string>,
    unit: typeof MetricUnit.Count | typeof MetricUnit.Seconds,
    value: number,
  ): void {
    // A single metric is written at once, with its dimensions, and forgets them after.
    this.powertools.singleMetric().addDimensions(dimensions).addMetric(name, unit, value);
  }
}
