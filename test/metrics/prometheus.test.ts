import { createServer, type Server } from 'node:http';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { WebClient } from '@slack/web-api';
import { countAwsErrors, countSlackErrors } from '../../src/metrics/client-errors';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics';

/** The rendered series by name and labels (sorted), each with its value. */
function series(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const [, name, labels = '', value = ''] = match;
    const sorted = (labels.match(/\w+="[^"]*"/g) ?? []).sort().join(',');
    found.set(sorted ? `${name}{${sorted}}` : `${name}`, Number(value));
  }
  return found;
}

async function rendered(metrics: PrometheusMetrics): Promise<Map<string, number>> {
  return series(await metrics.render());
}

describe('PrometheusMetrics', () => {
  it('renders counters and histograms with their labels and values', async () => {
    const metrics = new PrometheusMetrics();
    metrics.record([
      { metric: 'requests', kind: 'user.create', outcome: 'filed' },
      { metric: 'requests', kind: 'user.create', outcome: 'filed' },
      { metric: 'requests', kind: 'key.create', outcome: 'succeeded' },
      { metric: 'approvals', kind: 'user.create' },
      { metric: 'refusals', action: 'approve', reason: 'own-request' },
      { metric: 'stepFailures', kind: 'user.offboard', step: 'cognito' },
      { metric: 'timeToDecision', kind: 'user.create', outcome: 'approved', seconds: 240 },
      { metric: 'timeToDecision', kind: 'user.create', outcome: 'approved', seconds: 4000 },
      { metric: 'timeToEffect', kind: 'user.create', outcome: 'succeeded', seconds: 90_000 },
    ]);
    const found = await rendered(metrics);
    expect(metrics.contentType).toMatch(/^text\/plain/);
    expect(found.get('vams_chatops_requests_total{kind="user.create",outcome="filed"}')).toBe(2);
    expect(found.get('vams_chatops_requests_total{kind="key.create",outcome="succeeded"}')).toBe(1);
    expect(found.get('vams_chatops_approvals_total{kind="user.create"}')).toBe(1);
    expect(found.get('vams_chatops_refusals_total{action="approve",reason="own-request"}')).toBe(1);
    expect(found.get('vams_chatops_step_failures_total{kind="user.offboard",step="cognito"}')).toBe(
      1,
    );
    const decision = (suffix: string, le?: string) =>
      found.get(
        `vams_chatops_time_to_decision_seconds_${suffix}{kind="user.create",${le ? `le="${le}",` : ''}outcome="approved"}`,
      );
    expect(decision('bucket', '120')).toBe(0);
    expect(decision('bucket', '300')).toBe(1);
    expect(decision('bucket', '3600')).toBe(1);
    expect(decision('bucket', '7200')).toBe(2);
    expect(decision('bucket', '86400')).toBe(2);
    expect(decision('sum')).toBe(4240);
    expect(decision('count')).toBe(2);
    // Past a day lands only in +Inf.
    const effect = (le: string) =>
      found.get(
        `vams_chatops_time_to_effect_seconds_bucket{kind="user.create",le="${le}",outcome="succeeded"}`,
      );
    expect([effect('86400'), effect('+Inf')]).toEqual([0, 1]);
    // Its own registry: no process metrics unless asked, and another instance starts at zero.
    expect([...found.keys()].some((key) => key.startsWith('process_'))).toBe(false);
    expect((await rendered(new PrometheusMetrics())).size).toBe(0);
    const withProcess = await rendered(new PrometheusMetrics({ processMetrics: true }));
    expect(withProcess.has('process_cpu_user_seconds_total')).toBe(true);
  });
});

describe('countAwsErrors', () => {
  it('counts a failed call once, by operation and error, after the retries', async () => {
    const metrics = new PrometheusMetrics();
    const dynamo = new DynamoDBClient({ maxAttempts: 3 });
    countAwsErrors(dynamo, metrics);
    countAwsErrors(dynamo, metrics);
    let throttled = 0;
    // Two throttled attempts the SDK retries; only the third one's answer is the call's.
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        if (throttled < 2) {
          throttled += 1;
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'ThrottlingException',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'throttleTwice' },
    );
    const missing = { TableName: 'no-such-table', Key: { pk: { S: 'x' } } };
    await expect(dynamo.send(new GetItemCommand(missing))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(throttled).toBe(2);
    const key =
      'vams_chatops_aws_errors_total{code="ResourceNotFoundException",operation="GetItem",service="DynamoDB"}';
    let found = await rendered(metrics);
    expect(found.get(key)).toBe(1);
    expect([...found.keys()].filter((name) => name.includes('Throttling'))).toEqual([]);

    // The document client shares the stack: its calls count too, once each.
    const documents = DynamoDBDocumentClient.from(dynamo);
    await expect(
      documents.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'x' } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    found = await rendered(metrics);
    expect(found.get(key)).toBe(2);
    dynamo.destroy();
  });
});

describe('countSlackErrors', () => {
  let server: Server;
  let apiUrl: string;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      paths.push(request.url ?? '');
      if (request.url === '/api/auth.test') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: true, team_id: 'T0TEAM', user_id: 'U0BOT' }));
      } else if (request.url === '/api/users.info') {
        response.writeHead(500);
        response.end();
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error: 'channel_not_found' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    apiUrl = `http://127.0.0.1:${address.port}/api/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('counts a platform error by method and Slack code, and still throws it', async () => {
    const metrics = new PrometheusMetrics();
    const client = new WebClient('xoxb-test', { slackApiUrl: apiUrl, retryConfig: { retries: 0 } });
    countSlackErrors(client, metrics);

    await expect(
      client.chat.postMessage({ channel: 'C0GONE', text: 'hello' }),
    ).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'channel_not_found' },
    });
    await expect(client.apiCall('conversations.info', { channel: 'C0GONE' })).rejects.toMatchObject(
      { data: { error: 'channel_not_found' } },
    );
    await expect(client.admin.conversations.archive({ channel_id: 'C0GONE' })).rejects.toThrow();
    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
    });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });

    // The label is the method the request went to.
    expect(paths.slice(-5)).toEqual([
      '/api/chat.postMessage',
      '/api/conversations.info',
      '/api/admin.conversations.archive',
      '/api/users.info',
      '/api/auth.test',
    ]);
    const found = await rendered(metrics);
    expect(
      [...found.entries()].filter(([name]) => name.startsWith('vams_chatops_slack_errors_total')),
    ).toEqual([
      ['vams_chatops_slack_errors_total{code="channel_not_found",method="chat.postMessage"}', 1],
      ['vams_chatops_slack_errors_total{code="channel_not_found",method="conversations.info"}', 1],
      [
        'vams_chatops_slack_errors_total{code="channel_not_found",method="admin.conversations.archive"}',
        1,
      ],
      ['vams_chatops_slack_errors_total{code="slack_webapi_http_error",method="users.info"}', 1],
    ]);
  });
});
