/**
 * What operators count and time. Every label is drawn from a small set (kinds, statuses, step
 * families, error codes, method names), never a user or request id: each distinct value is a
 * series to store, and in CloudWatch a metric to pay for.
 */
export type MetricSample =
  /** A request was filed (`filed`) or reached a terminal status (`succeeded`, `rejected`, …). */
  | { metric: 'requests'; kind: string; outcome: string }
  /** One approver's approval counted. */
  | { metric: 'approvals'; kind: string }
  /** A click or command refused: `action` is what was tried, `reason` the refusal's code. */
  | { metric: 'refusals'; action: string; reason: string }
  | { metric: 'stepFailures'; kind: string; step: string }
  | { metric: 'slackErrors'; method: string; code: string }
  | { metric: 'awsErrors'; service: string; operation: string; code: string }
  /** From filing to approval, rejection, cancellation or expiry. */
  | { metric: 'timeToDecision'; kind: string; outcome: string; seconds: number }
  /** From filing to the request's end once it ran: `succeeded` or `failed`. */
  | { metric: 'timeToEffect'; kind: string; outcome: string; seconds: number };

export type MetricName = MetricSample['metric'];
export type TimingName = Extract<MetricSample, { seconds: number }>['metric'];
export type CountName = Exclude<MetricName, TimingName>;

/** A sample's labels: every field but its name and its value. */
export function labelsOf(sample: MetricSample): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(sample)) {
    if (key !== 'metric' && key !== 'seconds') labels[key] = String(value);
  }
  return labels;
}

/** Where samples go: a Prometheus registry, CloudWatch's embedded metric format, nowhere. */
export interface Metrics {
  record(samples: readonly MetricSample[]): void;
}

export const noMetrics: Metrics = { record: () => {} };
