import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { functionUrlEvent } from '../support/lambda-bot';
import { SlackStandIn } from '../support/slack-standin';
import { APPROVAL_CHANNEL } from '../support/test-bot';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

// The artifact Lambda runs, not the TypeScript: `npm run build:lambda` leaves Socket Mode,
// Express, zod's other languages and the media-type table out of dist/lambda/index.js, and this
// proves what is left still answers Slack. `npm test` builds the bundle before Jest runs.

const BUNDLE = resolve(__dirname, '..', '..', 'dist', 'lambda', 'index.js');
const handler = z.custom<(event: unknown) => Promise<unknown>>(
  (value) => typeof value === 'function',
);
const handlers = z.object({ http: handler, worker: handler, schedule: handler });

describe('the Lambda bundle', () => {
  let slack: SlackStandIn;
  let deployment: TestDeployment;
  const saved = { ...process.env };

  beforeAll(async () => {
    if (!existsSync(BUNDLE))
      throw new Error('dist/lambda/index.js is missing: npm run build:lambda');
    slack = await SlackStandIn.start();
    deployment = await createTestDeployment();
  });
  afterAll(async () => {
    process.env = saved;
    await slack.stop();
    deployment.destroy();
  });

  it('loads, reads its secret and answers a signed /vams help; refuses an unsigned one', async () => {
    const signingSecret = randomBytes(16).toString('hex');
    const secrets = new SecretsManagerClient({});
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: `bundle-${randomBytes(4).toString('hex')}`,
        SecretString: JSON.stringify({
          SLACK_BOT_TOKEN: 'xoxb-local-standin',
          SLACK_SIGNING_SECRET: signingSecret,
        }),
      }),
    );
    secrets.destroy();
    slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    await deployment.addVamsUser('ada@example.com', ['admin']);
    Object.assign(process.env, deployment.env, {
      SLACK_SECRET_ARN: secret.ARN ?? '',
      SLACK_API_URL: slack.apiUrl,
      APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
      LOG_LEVEL: 'silent',
    });
    const bundle = handlers.parse(require(BUNDLE));
    const responseUrl = slack.newResponseUrl();
    const body = new URLSearchParams({
      command: '/vams',
      text: 'help',
      user_id: 'U0ADA',
      team_id: slack.teamId,
      channel_id: 'C0GENERAL',
      response_url: responseUrl,
      trigger_id: slack.issueTrigger({ userId: 'U0ADA' }),
    }).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    };
    const answer = z
      .object({ statusCode: z.number() })
      .parse(await bundle.http(functionUrlEvent(headers, body)));
    expect(answer.statusCode).toBe(200);
    // Help answers at the response_url with what an admin may use.
    const replies = slack.calls.filter((call) => call.method === 'response_url');
    expect(JSON.stringify(replies)).toContain('user create');
    const unsigned = z
      .object({ statusCode: z.number() })
      .parse(
        await bundle.http(functionUrlEvent({ ...headers, 'x-slack-signature': 'v0=00' }, body)),
      );
    expect(unsigned.statusCode).toBe(401);
  });
});
