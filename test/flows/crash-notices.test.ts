import { once } from 'node:events';
import {
  AdminInitiateAuthCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AccessRequest } from '../../src/domain/request';
import { RequestStore } from '../../src/stores/request.store';
import { startBotProcess, until } from '../support/bot-process';
import { eventually } from '../support/eventually';
import { type FiledRequest, onboardingFields, textIn } from '../support/onboarding-flow';
import type { SlackDriver } from '../support/slack-driver';
import { SlackStandIn } from '../support/slack-standin';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';
import { vamsAuthorizes } from '../support/vams-authorizer';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

const KEY_VALUE = /vams_[A-Za-z0-9_-]{64}/g;
const PASSWORD_IN_DM = /temporary password is `([^`]+)`/;

/** The password as the person reads it: mrkdwn shows &amp; &lt; &gt; as the characters. */
function passwordIn(text: string): string | undefined {
  const raw = PASSWORD_IN_DM.exec(text)?.[1];
  return raw?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
const ENV = { MANAGER_ROLES: 'manager' };
// The dead process's lease has lapsed and its notices are stale for a clock this far ahead.
const LATER = { clock: () => new Date(Date.now() + 5 * 60_000) };

/** Runs `/vams <text>` and returns the dialog it opened, once it shows its form. */
async function openDialog(
  slack: SlackStandIn,
  driver: SlackDriver,
  userId: string,
  text: string,
): Promise<string> {
  const before = new Set(slack.views.keys());
  await driver.command(userId, text);
  return eventually(() => {
    const viewId = [...slack.views.keys()].find((id) => !before.has(id));
    if (!viewId || !slack.views.get(viewId)?.view.submit) throw new Error(`no form for ${text}`);
    return viewId;
  });
}

/** Everything people see of one request, once it has ended. */
function told(slack: SlackStandIn, filed: FiledRequest, requester: string) {
  const card = slack.messages(APPROVAL_CHANNEL).find((message) => message.ts === filed.card.ts);
  const results = slack
    .messages(APPROVAL_CHANNEL)
    .filter((message) => message.threadTs === filed.card.ts)
    .map((message) => textIn(message.blocks))
    .filter((text) => text.startsWith(':white_check_mark:') || text.startsWith(':x:'));
  const outcomes = slack
    .messages(slack.dmChannelOf(requester))
    .filter((message) => String(message.text).includes(`*${filed.id}*:`));
  return { card: textIn(card?.blocks), results, outcomes: outcomes.length };
}

describe('a bot killed after the work is done but before people were told', () => {
  let deployment: TestDeployment;
  let slack: SlackStandIn;
  let store: RequestStore;

  beforeAll(async () => {
    deployment = await createTestDeployment();
    slack = await SlackStandIn.start();
    store = new RequestStore(deployment.clients.documents, deployment.tables.bot);
    await deployment.addRole('manager');
    await deployment.addRole('viewer');
    for (const [id, email, role] of [
      ['U0ADA', 'ada@example.com', 'admin'],
      ['U0ALAN', 'alan@example.com', 'admin'],
      ['U0MAX', 'max@example.com', 'manager'],
      ['U0BOB', 'bob@example.com', 'viewer'],
    ] as const) {
      await deployment.addVamsUser(email, [role]);
      slack.addUser({ id, email, emailConfirmed: true });
    }
  }, 60_000);
  afterAll(async () => {
    await slack.stop();
    deployment.destroy();
  });

  async function restart(): Promise<TestBot> {
    return startTestBot({ deployment, slack, env: ENV, tuning: LATER });
  }

  /** The open request `matches` picks, once its card is posted and stored. */
  function filedWhere(matches: (request: AccessRequest) => boolean): Promise<FiledRequest> {
    return eventually(async () => {
      const [request] = (await store.open()).filter(matches);
      if (!request?.card) throw new Error('no card yet');
      return { id: request.id, userId: request.subject, card: request.card };
    });
  }

  /** Max files an onboarding of `userId` through the bot process's dialog. */
  async function fileOnboardingOn(driver: SlackDriver, userId: string): Promise<FiledRequest> {
    const viewId = await openDialog(slack, driver, 'U0MAX', 'user create');
    await driver.submitView(
      'U0MAX',
      viewId,
      onboardingFields({ userId, email: `${userId}@example.com`, roles: ['viewer'] }),
    );
    return filedWhere((request) => request.subject === userId);
  }

  it('right after the final status write: the card, the thread and the requester are told once after a restart', async () => {
    const first = await startBotProcess(deployment, slack, ENV);
    const filed = await fileOnboardingOn(first.driver, 'told-once');
    // The first thing after the final write is the card's update: the bot dies there.
    const caught = slack.hold('chat.update', (args) =>
      JSON.stringify(args.blocks ?? '').includes(':white_check_mark: Done'),
    );
    await first.driver.clickButton('U0ADA', filed.card, 'Approve');
    await caught.arrived;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const stranded = await store.get(filed.id);
    expect(stranded?.status).toBe('succeeded');
    expect(stranded?.outbox?.map((notice) => notice.type)).toEqual(['card', 'result', 'outcome']);
    expect(told(slack, filed, 'U0MAX')).toMatchObject({ results: [], outcomes: 0 });

    const second = await restart();
    try {
      await until('everyone to be told', async () => {
        const seen = told(slack, filed, 'U0MAX');
        return seen.outcomes > 0 && seen.results.length > 0 ? seen : undefined;
      });
      // A few more sweeps: nothing is told twice.
      await second.app.workflow.resumeInterrupted();
      await second.app.workflow.resumeInterrupted();
      const seen = told(slack, filed, 'U0MAX');
      expect(seen.card).toContain(':white_check_mark: Done');
      expect(seen.results).toHaveLength(1);
      expect(seen.outcomes).toBe(1);
      expect((await store.get(filed.id))?.outbox).toBeUndefined();
    } finally {
      caught.release();
      await second.stop();
    }
  }, 60_000);

  it('right after a key DM was posted: one live key after a restart, and the first DM says it was replaced', async () => {
    const first = await startBotProcess(deployment, slack, ENV);
    const viewId = await openDialog(slack, first.driver, 'U0BOB', 'key request');
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await first.driver.submitView('U0BOB', viewId, {
      Name: 'crash-key',
      Description: 'uploads',
      Expires: expires,
      Reason: 'Nightly uploads',
    });
    const filed = await filedWhere((request) => request.kind === 'key.create');
    const bobDm = slack.dmChannelOf('U0BOB');
    // Slack posts the key's DM; the bot dies before it hears back, let alone records it.
    const caught = slack.holdAnswer(
      'chat.postMessage',
      (args) => args.channel === bobDm && String(args.text).includes('crash-key'),
    );
    await first.driver.clickButton('U0ADA', filed.card, 'Approve');
    await caught.arrived;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const keyDms = () =>
      slack.messages(bobDm).filter((message) => textIn(message.blocks).includes('crash-key'));
    const [firstDm] = keyDms();
    const firstValue = textIn(firstDm?.blocks).match(KEY_VALUE)?.[0];
    if (!firstValue) throw new Error('the first DM holds no key');

    const second = await restart();
    try {
      await until('the requester to be told', async () =>
        told(slack, filed, 'U0BOB').outcomes > 0 ? true : undefined,
      );
      await second.app.workflow.resumeInterrupted();
      const seen = told(slack, filed, 'U0BOB');
      expect(seen.card).toContain(':white_check_mark: Done');
      expect(seen.results).toHaveLength(1);
      expect(seen.outcomes).toBe(1);

      const replaced = slack.messages(bobDm).find((message) => message.ts === firstDm?.ts);
      expect(textIn(replaced?.blocks)).toContain('was replaced and never became usable');
      expect(textIn(replaced?.blocks)).not.toMatch(KEY_VALUE);
      const live = keyDms().flatMap((message) => textIn(message.blocks).match(KEY_VALUE) ?? []);
      expect(live).toHaveLength(1);
      const [value] = live;
      const authorize = (key: string) =>
        vamsAuthorizes(deployment.clients.documents, deployment.tables, key);
      expect(await authorize(value ?? '')).toEqual({ allowed: true, userId: 'bob@example.com' });
      expect((await authorize(firstValue)).allowed).toBe(false);
    } finally {
      caught.release();
      await second.stop();
    }
  }, 60_000);

  it('right after a password DM was posted: one live password after a restart, and the first DM says it was replaced', async () => {
    const env = { ...ENV, TEMP_PASSWORD_DELIVERY: 'slack-dm' };
    const client = await deployment.clients.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: deployment.userPoolId,
        ClientName: 'vams-web',
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
      }),
    );
    const signIn = (password: string) =>
      deployment.clients.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: deployment.userPoolId,
          ClientId: client.UserPoolClient?.ClientId ?? '',
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'bob@example.com', PASSWORD: password },
        }),
      );
    const first = await startBotProcess(deployment, slack, env);
    const viewId = await openDialog(
      slack,
      first.driver,
      'U0ADA',
      'user reset-password bob@example.com',
    );
    await first.driver.submitView('U0ADA', viewId, { Reason: 'Forgot it' });
    const filed = await filedWhere((request) => request.kind === 'user.reset-password');
    const bobDm = slack.dmChannelOf('U0BOB');
    const caught = slack.holdAnswer(
      'chat.postMessage',
      (args) => args.channel === bobDm && String(args.text).includes('password was reset'),
    );
    await first.driver.clickButton('U0ALAN', filed.card, 'Approve');
    await caught.arrived;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const passwordDms = () =>
      slack
        .messages(bobDm)
        .filter((message) => textIn(message.blocks).includes('temporary password'));
    const [firstDm] = passwordDms();
    const firstPassword = passwordIn(textIn(firstDm?.blocks));
    if (!firstPassword) throw new Error('the first DM holds no password');

    const second = await startTestBot({ deployment, slack, env, tuning: LATER });
    try {
      await until('the requester to be told', async () =>
        told(slack, filed, 'U0ADA').outcomes > 0 ? true : undefined,
      );
      await second.app.workflow.resumeInterrupted();
      const seen = told(slack, filed, 'U0ADA');
      expect(seen.results).toHaveLength(1);
      expect(seen.outcomes).toBe(1);
      const replaced = slack.messages(bobDm).find((message) => message.ts === firstDm?.ts);
      expect(textIn(replaced?.blocks)).toContain('was replaced and never became usable');
      expect(textIn(replaced?.blocks)).not.toContain(firstPassword);
      const live = passwordDms().flatMap((message) => {
        const found = passwordIn(textIn(message.blocks));
        return found ? [found] : [];
      });
      expect(live).toHaveLength(1);
      const [password] = live;
      expect((await signIn(password ?? '')).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      await expect(signIn(firstPassword)).rejects.toThrow();
    } finally {
      caught.release();
      await second.stop();
    }
  }, 60_000);

  it('after the result and the DM went out but before that was recorded: nothing is sent twice after a restart', async () => {
    const first = await startBotProcess(deployment, slack, ENV);
    const filed = await fileOnboardingOn(first.driver, 'sent-once');
    // The outcome DM, the last notice, is posted; the bot dies before it records any of them.
    const maxDm = slack.dmChannelOf('U0MAX');
    const caught = slack.holdAnswer(
      'chat.postMessage',
      (args) => args.channel === maxDm && String(args.text).includes(`*${filed.id}*:`),
    );
    await first.driver.clickButton('U0ADA', filed.card, 'Approve');
    await caught.arrived;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect((await store.get(filed.id))?.outbox?.map((notice) => notice.type)).toEqual([
      'card',
      'result',
      'outcome',
    ]);
    expect(told(slack, filed, 'U0MAX')).toMatchObject({ outcomes: 1 });
    expect(told(slack, filed, 'U0MAX').results).toHaveLength(1);

    const second = await restart();
    try {
      await until('the notices to be recorded', async () =>
        (await store.get(filed.id))?.outbox === undefined ? true : undefined,
      );
      const seen = told(slack, filed, 'U0MAX');
      expect(seen.card).toContain(':white_check_mark: Done');
      expect(seen.results).toHaveLength(1);
      expect(seen.outcomes).toBe(1);
    } finally {
      caught.release();
      await second.stop();
    }
  }, 60_000);
});
