import { Writable } from 'node:stream';
import { App, type Receiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { DomainError } from '../../src/domain/errors';
import { createLogger } from '../../src/logging';
import { failureText, registerListenerGuard } from '../../src/slack/listener-guard';
import { DirectMessages } from '../../src/slack/slack-notifier';
import { API_KEY_IDS } from '../../src/views/api-key.view';
import {
  answerTo,
  helpShown,
  onboardingFields,
  openOnboardingModal,
  textIn,
} from '../support/onboarding-flow';
import { SlackStandIn } from '../support/slack-standin';
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
    expect(await helpShown(bot, 'U0ADA')).toContain('/vams whoami');
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
    // `/vams requests` reads the requests after its ack (whoami may answer from a few seconds'
    // memory of who asked).
    const command = await bot.driver.command('U0ADA', 'requests');
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

describe('a listener that throws after its ack, with a receiver whose second ack does not throw', () => {
  // As in Socket Mode, where acknowledging twice only logs a warning.
  const receiver: Receiver = { init: () => {}, start: async () => {}, stop: async () => {} };
  let standIn: SlackStandIn;
  beforeAll(async () => {
    standIn = await SlackStandIn.start();
  });
  afterAll(() => standIn.stop());

  it('still tells the person by the response_url, with a reference', async () => {
    const app = new App({
      receiver,
      token: 'xoxb-local-standin',
      tokenVerificationEnabled: false,
      clientOptions: { slackApiUrl: standIn.apiUrl },
    });
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const logger = createLogger('error', quiet);
    registerListenerGuard(
      app,
      new DirectMessages(new WebClient('xoxb-local-standin', { slackApiUrl: standIn.apiUrl })),
      logger,
    );
    app.command('/vams', async ({ ack }) => {
      await ack();
      throw new Error('DynamoDB is unavailable');
    });
    const acks: unknown[] = [];
    const responseUrl = standIn.newResponseUrl();
    await app.processEvent({
      body: {
        command: '/vams',
        text: 'whoami',
        user_id: 'U0ADA',
        team_id: standIn.teamId,
        channel_id: 'C0GENERAL',
        response_url: responseUrl,
        trigger_id: standIn.issueTrigger(),
      },
      ack: async (response) => {
        acks.push(response);
      },
    });
    const reply = await standIn.waitForCall(
      'response_url',
      (call) => call.args.url === responseUrl,
    );
    expect(textIn(reply.args)).toMatch(REFERENCE);
    expect(textIn(reply.args)).not.toContain('DynamoDB');
    // Only the listener's own ack went to Slack.
    expect(acks).toEqual([undefined]);
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
