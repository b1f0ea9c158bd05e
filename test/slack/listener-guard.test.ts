import { DomainError } from '../../src/domain/errors';
import { failureText } from '../../src/slack/listener-guard';
import { API_KEY_IDS } from '../../src/views/api-key.view';
import {
  answerTo,
  onboardingFields,
  openOnboardingModal,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

const REFERENCE = /internal error \(reference ([0-9a-f]{8})\)/;

describe('a listener that throws', () => {
  let bot: TestBot;
  let failing = false;
  beforeAll(async () => {
    bot = await startTestBot();
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.app.backend.clients.documents.middlewareStack.add(
      (next) => async (args) => {
        if (failing) throw new Error('DynamoDB is unavailable');
        return next(args);
      },
      { step: 'initialize', name: 'failWhileFailing' },
    );
  });
  afterAll(() => bot.stop());

  async function stillServes(): Promise<void> {
    const help = await bot.driver.command('U0ADA', 'help');
    expect(help.status).toBe(200);
    expect(textIn(help.ack)).toContain('/vams whoami');
  }

  it('turns a dialog whose submission fails before its ack into a notice with a reference', async () => {
    const viewId = await openOnboardingModal(bot, 'U0ADA');
    // The dialog's own check runs right after it opens; the failure is meant for the submission.
    await new Promise((resolve) => setTimeout(resolve, 500));
    failing = true;
    const submitted = await bot.driver
      .submitView('U0ADA', viewId, onboardingFields({ userId: 'someone' }))
      .finally(() => {
        failing = false;
      });
    expect(submitted.status).toBe(200);
    const said = textIn(submitted.ack);
    expect(said).toMatch(REFERENCE);
    const reference = REFERENCE.exec(said)?.[1] ?? 'none';
    expect(bot.logs.some((line) => line.includes(reference))).toBe(true);
    await stillServes();
  });

  it('answers a click whose listener fails after its ack by its response_url, with a reference', async () => {
    bot.slack.failNext('views.open', 'internal_error');
    const blocks = [
      {
        type: 'actions',
        block_id: 'reminder',
        elements: [
          {
            type: 'button',
            action_id: API_KEY_IDS.rotateButton,
            text: { type: 'plain_text', text: 'Rotate' },
            value: '0123abcd-0000-4000-8000-000000000000',
          },
        ],
      },
    ];
    const click = await bot.driver.clickButton(
      'U0ADA',
      { ephemeral: { channel: 'C0GENERAL', blocks } },
      'Rotate',
    );
    expect(click.status).toBe(200);
    const said = textIn((await answerTo(bot.slack, click)).args);
    expect(said).toMatch(REFERENCE);
    const reference = REFERENCE.exec(said)?.[1] ?? 'none';
    expect(bot.logs.some((line) => line.includes(reference))).toBe(true);
    await stillServes();
  });

  it('answers a command that fails after its ack by its response_url, with a reference', async () => {
    failing = true;
    const command = await bot.driver.command('U0ADA', 'whoami');
    const reply = await bot.slack
      .waitForCall('response_url', (call) => call.args.url === command.responseUrl)
      .finally(() => {
        failing = false;
      });
    expect(command.status).toBe(200);
    const said = textIn(reply.args);
    expect(said).toMatch(REFERENCE);
    expect(said).not.toContain('DynamoDB');
    const reference = REFERENCE.exec(said)?.[1] ?? 'none';
    expect(bot.logs.some((line) => line.includes(reference))).toBe(true);
    await stillServes();
  });
});

describe('failureText', () => {
  it("shows a domain error's own message, with no reference to look up", () => {
    const error = new DomainError('admin-guard-busy', 'other removals kept changing; try again');
    expect(failureText(error, 'abcd1234')).toBe(
      'That did not go through: other removals kept changing; try again',
    );
  });

  it('shows any other error only as its incident reference', () => {
    const text = failureText(new Error('DynamoDB is unavailable'), 'abcd1234');
    expect(text).toContain('internal error (reference abcd1234)');
    expect(text).not.toContain('DynamoDB');
  });
});
