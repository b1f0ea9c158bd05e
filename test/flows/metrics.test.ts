import {
  addPeople,
  clickCard,
  fileThroughDialog,
  finished,
  keyFields,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// What operators scrape in HTTP mode: requests by kind and outcome, approvals, refusals and the
// times, counted from the bot's own writes, at GET /metrics.

async function scrape(bot: TestBot): Promise<string> {
  const response = await fetch(`${bot.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics at /metrics', () => {
  let bot: TestBot;

  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await addPeople(bot, [
      ['U0ADA', 'ada@example.com', ['admin']],
      ['U0BOB', 'bob@example.com', ['viewer']],
    ]);
  }, 60_000);
  afterAll(() => bot.stop());

  it('counts a filed, approved and succeeded request, and a refused click', async () => {
    const filed = await fileThroughDialog(bot, 'U0BOB', 'key request', keyFields('bob-metrics'));
    // Bob may not approve his own request: a refusal.
    await clickCard(bot, 'U0BOB', filed, 'Approve');
    await clickCard(bot, 'U0ADA', filed, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');

    const text = await scrape(bot);
    expect(value(text, 'vams_chatops_requests_total{kind="key.create",outcome="filed"}')).toBe(1);
    expect(value(text, 'vams_chatops_requests_total{kind="key.create",outcome="succeeded"}')).toBe(
      1,
    );
    expect(value(text, 'vams_chatops_approvals_total{kind="key.create"}')).toBe(1);
    expect(text).toMatch(/vams_chatops_refusals_total\{action="approve",reason="[a-z-]+"\} 1/);
    expect(
      value(
        text,
        'vams_chatops_time_to_effect_seconds_count{kind="key.create",outcome="succeeded"}',
      ),
    ).toBe(1);
    // No person or request is a label.
    expect(text).not.toContain('bob@example.com');
    expect(text).not.toContain(filed.id);
  });
});
