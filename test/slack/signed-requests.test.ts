import { createHmac } from 'node:crypto';
import { startTestBot, type TestBot } from '../support/test-bot';

function commandBody(text: string, responseUrl: string, triggerId: string): string {
  return new URLSearchParams({
    token: 'deprecated',
    team_id: 'T0LOCAL',
    team_domain: 'local',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ANYONE',
    user_name: 'anyone',
    command: '/vams',
    text,
    api_app_id: 'A0VAMS',
    response_url: responseUrl,
    trigger_id: triggerId,
  }).toString();
}

function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

describe('signed requests', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(() => bot.stop());

  const now = () => Math.floor(Date.now() / 1000);
  const body = () => commandBody('help', bot.slack.newResponseUrl(), bot.slack.issueTrigger());

  it('answers a correctly signed /vams help with the command list', async () => {
    const responseUrl = bot.slack.newResponseUrl();
    const payload = commandBody('help', responseUrl, bot.slack.issueTrigger());
    const response = await bot.driver.sendSigned(payload, {
      timestamp: now(),
      signature: sign(bot.signingSecret, now(), payload),
    });
    expect(response.status).toBe(200);
    const reply = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === responseUrl,
    );
    expect(JSON.stringify(reply.args)).toContain('/vams whoami');
  });

  it('refuses a bad signature with 401', async () => {
    const payload = body();
    const response = await bot.driver.sendSigned(payload, {
      timestamp: now(),
      signature: sign('not-the-secret', now(), payload),
    });
    expect(response.status).toBe(401);
  });

  it('refuses a body changed after signing with 401', async () => {
    const payload = body();
    const signature = sign(bot.signingSecret, now(), payload);
    const response = await bot.driver.sendSigned(payload.replace('help', 'whoami'), {
      timestamp: now(),
      signature,
    });
    expect(response.status).toBe(401);
  });

  it.each([
    ['6 minutes old', -6 * 60],
    ['6 minutes in the future', 6 * 60],
  ])(
    'refuses a correctly signed request whose timestamp is %s with 401',
    async (_label, offset) => {
      const payload = body();
      const timestamp = now() + offset;
      const response = await bot.driver.sendSigned(payload, {
        timestamp,
        signature: sign(bot.signingSecret, timestamp, payload),
      });
      expect(response.status).toBe(401);
    },
  );

  it('accepts a timestamp 4 minutes old (inside the window)', async () => {
    const payload = body();
    const timestamp = now() - 4 * 60;
    const response = await bot.driver.sendSigned(payload, {
      timestamp,
      signature: sign(bot.signingSecret, timestamp, payload),
    });
    expect(response.status).toBe(200);
  });

  it('serves GET /healthz without a signature', async () => {
    const response = await fetch(`${bot.baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });
});
