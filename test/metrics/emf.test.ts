import { z } from 'zod';
import { EmfMetrics } from '../../src/metrics/emf-metrics';

const emfLine = z.object({
  _aws: z.object({
    Timestamp: z.number(),
    CloudWatchMetrics: z.array(
      z.object({
        Namespace: z.string(),
        Dimensions: z.array(z.array(z.string())),
        Metrics: z.array(z.object({ Name: z.string(), Unit: z.string() })),
      }),
    ),
  }),
});

/** What Powertools writes to stdout and stderr while `run` runs, stdout lines parsed. */
function captured(run: () => void) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const lines = out
    .join('')
    .split('\n')
    .filter((line) => line.length > 0)
    .map(
      (line): Record<string, unknown> => z.record(z.string(), z.unknown()).parse(JSON.parse(line)),
    );
  return { lines, err };
}

/** Each line's metric, with its namespace, sorted dimension names, unit and values. */
function described(line: Record<string, unknown>) {
  const [directive] = emfLine.parse(line)._aws.CloudWatchMetrics;
  if (!directive) throw new Error('no metric directive');
  const [metric] = directive.Metrics;
  const [dimensions = []] = directive.Dimensions;
  return {
    namespace: directive.Namespace,
    name: metric?.Name,
    unit: metric?.Unit,
    dimensions: Object.fromEntries([...dimensions].sort().map((name) => [name, line[name]])),
    value: metric ? line[metric.Name] : undefined,
  };
}

describe('EmfMetrics', () => {
  it('writes nothing until published, then one line per series with its own dimensions', () => {
    const metrics = new EmfMetrics();
    const recording = captured(() =>
      metrics.record([
        { metric: 'requests', kind: 'user.create', outcome: 'filed' },
        { metric: 'requests', kind: 'user.create', outcome: 'filed' },
        { metric: 'requests', kind: 'key.create', outcome: 'succeeded' },
        { metric: 'stepFailures', kind: 'user.offboard', step: 'cognito' },
        { metric: 'awsErrors', service: 'DynamoDB', operation: 'GetItem', code: 'Throttled' },
        { metric: 'timeToDecision', kind: 'user.create', outcome: 'approved', seconds: 240 },
        { metric: 'timeToDecision', kind: 'user.create', outcome: 'approved', seconds: 30 },
      ]),
    );
    expect(recording.lines).toEqual([]);

    const published = captured(() => metrics.publish());
    expect(published.err).toEqual([]);
    expect(published.lines.map(described)).toEqual([
      {
        namespace: 'VamsChatops',
        name: 'Requests',
        unit: 'Count',
        dimensions: { kind: 'user.create', outcome: 'filed', service: 'vams-chatops' },
        value: 2,
      },
      {
        namespace: 'VamsChatops',
        name: 'Requests',
        unit: 'Count',
        dimensions: { kind: 'key.create', outcome: 'succeeded', service: 'vams-chatops' },
        value: 1,
      },
      {
        namespace: 'VamsChatops',
        name: 'StepFailures',
        unit: 'Count',
        dimensions: { kind: 'user.offboard', service: 'vams-chatops', step: 'cognito' },
        value: 1,
      },
      {
        namespace: 'VamsChatops',
        name: 'AwsErrors',
        unit: 'Count',
        dimensions: {
          awsService: 'DynamoDB',
          code: 'Throttled',
          operation: 'GetItem',
          service: 'vams-chatops',
        },
        value: 1,
      },
      ...[240, 30].map((value) => ({
        namespace: 'VamsChatops',
        name: 'TimeToDecision',
        unit: 'Seconds',
        dimensions: { kind: 'user.create', outcome: 'approved', service: 'vams-chatops' },
        value,
      })),
    ]);

    // Published once: a second publish has nothing left, and says nothing.
    const again = captured(() => metrics.publish());
    expect([again.lines, again.err]).toEqual([[], []]);
  });

  it('publishes early rather than hold an unbounded number of series', () => {
    const metrics = new EmfMetrics();
    const { lines } = captured(() =>
      metrics.record(
        Array.from({ length: 150 }, (_, n) => ({
          metric: 'refusals' as const,
          action: 'approve',
          reason: `code-${n}`,
        })),
      ),
    );
    expect(lines).toHaveLength(150);
    expect(lines.map(described).every((line) => line.name === 'Refusals' && line.value === 1)).toBe(
      true,
    );
  });
});
