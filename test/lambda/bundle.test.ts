import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { createSlackSecret, lambdaDriver } from '../support/lambda-bot';
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
    const secretArn = await createSlackSecret(signingSecret);
    slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    await deployment.addVamsUser('ada@example.com', ['admin']);
    Object.assign(process.env, deployment.env, {
      SLACK_SECRET_ARN: secretArn,
      SLACK_API_URL: slack.apiUrl,
      APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
      LOG_LEVEL: 'silent',
    });
    const bundle = handlers.parse(require(BUNDLE));
    const answer = z.object({ statusCode: z.number(), body: z.string() });
    const driver = lambdaDriver(slack, signingSecret, async (event) =>
      answer.parse(await bundle.http(event)),
    );
    const help = await driver.command('U0ADA', 'help');
    expect(help.status).toBe(200);
    // Help answers at the response_url with what an admin may use.
    const reply = await slack.waitForCall(
      'response_url',
      (call) => call.args.url === help.responseUrl,
    );
    expect(JSON.stringify(reply.args)).toContain('user create');
    expect((await driver.sendSigned('command=%2Fvams', { signature: 'v0=00' })).status).toBe(401);
  });
});
