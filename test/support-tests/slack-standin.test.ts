import { App, type BlockAction, type ButtonAction, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { ModalView, SectionBlock } from '@slack/types';
import { ErrorCode, type Logger, WebClient } from '@slack/web-api';
import { SlackDriver } from '../support/slack-driver';
import { SlackStandIn, type SlackStandInOptions } from '../support/slack-standin';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);

// The WebClient prints Slack's response_metadata messages; the refusals here are on purpose.
const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function clientFor(slack: SlackStandIn, token = 'xoxb-local-standin'): WebClient {
  return new WebClient(token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: quietLogger,
  });
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function modal(title: string): ModalView {
  return {
    type: 'modal',
    callback_id: 'test',
    title: { type: 'plain_text', text: title },
    blocks: [section('Loading…')],
  };
}

function platformError(error: string): Record<string, unknown> {
  return { code: ErrorCode.PlatformError, data: expect.objectContaining({ ok: false, error }) };
}

describe('SlackStandIn through the real WebClient', () => {
  let clock: number;
  let slack: SlackStandIn;
  let client: WebClient;

  async function start(options: SlackStandInOptions = {}): Promise<void> {
    slack = await SlackStandIn.start({ now: () => clock, ...options });
    client = clientFor(slack);
  }

  beforeEach(async () => {
    clock = START;
    await start();
    slack.addUser({
      id: 'U0ALICE',
      name: 'alice',
      realName: 'Alice Liddell',
      email: 'Alice@Example.com',
    });
    slack.addUser({ id: 'U0GONE', name: 'gone', email: 'gone@example.com', deleted: true });
  });

  afterEach(async () => {
    await slack.stop();
  });

  test('auth.test names the team and bot, and refuses any other token', async () => {
    const auth = await client.auth.test();

    expect(auth).toMatchObject({ ok: true, team_id: 'T0LOCAL', user_id: slack.botUserId });
    expect(auth.bot_id).toBe(slack.botId);
    await expect(clientFor(slack, 'xoxb-wrong').auth.test()).rejects.toMatchObject(
      platformError('invalid_auth'),
    );
    expect(slack.callsTo('auth.test').map((call) => call.ok)).toEqual([true, false]);
    expect(JSON.stringify(slack.calls)).not.toContain('xoxb-');
  });

  test('chat.update changes the stored message and keeps blocks it does not replace', async () => {
    const blocks = [section('*Request* pending'), { type: 'actions', elements: [] }];
    const posted = await client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'pending',
      blocks,
    });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const second = await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'another' });
    expect(Number(second.ts)).toBeGreaterThan(Number(posted.ts));

    const updated = await client.chat.update({
      channel: 'C0APPROVALS',
      ts: posted.ts ?? '',
      text: 'approved',
    });

    expect(updated).toMatchObject({ ok: true, channel: 'C0APPROVALS', ts: posted.ts });
    const [message] = slack.messages('C0APPROVALS');
    expect(message?.text).toBe('approved');
    // Slack assigns block_ids the app left out; the app sees them in interaction payloads.
    expect(message?.blocks).toEqual([
      expect.objectContaining({ type: 'section', block_id: expect.any(String) }),
      expect.objectContaining({ type: 'actions', block_id: expect.any(String) }),
    ]);
    await expect(
      client.chat.update({ channel: 'C0APPROVALS', ts: '1.000001', text: 'x' }),
    ).rejects.toMatchObject(platformError('message_not_found'));
  });

  test('a DM needs a channel from conversations.open: a user id is not a channel', async () => {
    await expect(client.chat.postMessage({ channel: 'U0ALICE', text: 'hi' })).rejects.toMatchObject(
      platformError('channel_not_found'),
    );

    const opened = await client.conversations.open({ users: 'U0ALICE' });
    const again = await client.conversations.open({ users: 'U0ALICE' });
    const channel = opened.channel?.id ?? '';
    await client.chat.postMessage({ channel, text: 'hi' });

    expect(channel).toMatch(/^D/);
    expect(again.channel?.id).toBe(channel);
    expect(slack.messages(channel).map((message) => message.text)).toEqual(['hi']);
    await expect(client.conversations.open({ users: 'U0NOBODY' })).rejects.toMatchObject(
      platformError('user_not_found'),
    );
    await expect(client.conversations.open({ users: 'U0GONE' })).rejects.toMatchObject(
      platformError('user_disabled'),
    );
  });

  test('thread_ts must be the string ts of a top-level message', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'parent' });
    const reply = await client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'reply',
      thread_ts: parent.ts ?? '',
    });

    expect(slack.messages('C0APPROVALS')[1]).toMatchObject({ text: 'reply', threadTs: parent.ts });
    await expect(
      client.chat.postMessage({ channel: 'C0APPROVALS', text: 'x', thread_ts: reply.ts ?? '' }),
    ).rejects.toMatchObject(platformError('invalid_thread_ts'));
    // A JSON body can carry a number, which Slack does not take as a thread.
    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-local-standin', 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C0APPROVALS', text: 'x', thread_ts: Number(parent.ts) }),
    });
    expect(await response.json()).toEqual({ ok: false, error: 'invalid_thread_ts' });
  });

  test('a trigger opens one view within 3 s and no later', async () => {
    const inTime = slack.issueTrigger({ userId: 'U0ALICE' });
    const late = slack.issueTrigger();
    clock += 3_000;

    const opened = await client.views.open({ trigger_id: inTime, view: modal('Invite') });
    clock += 1;

    expect(opened.view?.id).toMatch(/^V/);
    expect(slack.views.get(opened.view?.id ?? '')).toMatchObject({
      userId: 'U0ALICE',
      hash: opened.view?.hash,
    });
    await expect(
      client.views.open({ trigger_id: late, view: modal('Invite') }),
    ).rejects.toMatchObject(platformError('expired_trigger_id'));
    await expect(
      client.views.open({ trigger_id: inTime, view: modal('Invite') }),
    ).rejects.toMatchObject(platformError('exchanged_trigger_id'));
    await expect(
      client.views.open({ trigger_id: 'made-up', view: modal('Invite') }),
    ).rejects.toMatchObject(platformError('invalid_trigger_id'));
  });

  test('views.update with a stale hash is a hash_conflict', async () => {
    const opened = await client.views.open({
      trigger_id: slack.issueTrigger(),
      view: modal('Loading'),
    });
    const viewId = opened.view?.id ?? '';
    const firstHash = opened.view?.hash ?? '';

    const updated = await client.views.update({
      view_id: viewId,
      hash: firstHash,
      view: modal('Ready'),
    });

    expect(updated.view?.hash).not.toBe(firstHash);
    expect(slack.views.get(viewId)?.view.title).toEqual({ type: 'plain_text', text: 'Ready' });
    await expect(
      client.views.update({ view_id: viewId, hash: firstHash, view: modal('Again') }),
    ).rejects.toMatchObject(platformError('hash_conflict'));
    await expect(
      client.views.update({ view_id: 'V0NONE', view: modal('x') }),
    ).rejects.toMatchObject(platformError('not_found'));
  });

  test('views.push stacks on the modal the trigger came from, three deep at most', async () => {
    const root = await client.views.open({ trigger_id: slack.issueTrigger(), view: modal('One') });
    const rootId = root.view?.id ?? '';
    const second = await client.views.push({
      trigger_id: slack.issueTrigger({ viewId: rootId }),
      view: modal('Two'),
    });
    const third = await client.views.push({
      trigger_id: slack.issueTrigger({ viewId: second.view?.id }),
      view: modal('Three'),
    });

    expect(third.view).toMatchObject({ root_view_id: rootId, previous_view_id: second.view?.id });
    await expect(
      client.views.push({
        trigger_id: slack.issueTrigger({ viewId: third.view?.id }),
        view: modal('Four'),
      }),
    ).rejects.toMatchObject(platformError('push_limit_reached'));
  });

  test('throttle answers 429 with Retry-After, then Slack answers again', async () => {
    slack.throttle('chat.postMessage', 1, 7);

    await expect(
      client.chat.postMessage({ channel: 'C0APPROVALS', text: 'first' }),
    ).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'second' });

    expect(slack.callsTo('chat.postMessage').map((call) => call.error ?? 'ok')).toEqual([
      'ratelimited',
      'ok',
    ]);
    expect(slack.messages('C0APPROVALS').map((message) => message.text)).toEqual(['second']);
  });

  test('failNext makes the next call to a method fail once', async () => {
    slack.failNext('users.info', 'fatal_error');

    await expect(client.users.info({ user: 'U0ALICE' })).rejects.toMatchObject(
      platformError('fatal_error'),
    );
    await expect(client.users.info({ user: 'U0ALICE' })).resolves.toMatchObject({ ok: true });
  });

  test('blocks are checked against the limits: section text 3000 passes, 3001 fails', async () => {
    await client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'at the limit',
      blocks: [section('a'.repeat(3000))],
    });

    const refused = client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'over the limit',
      blocks: [section('a'.repeat(3001))],
    });

    await expect(refused).rejects.toMatchObject({
      data: {
        ok: false,
        error: 'invalid_blocks',
        errors: [expect.stringContaining('blocks[0].text.text is 3001 characters')],
      },
    });
    await expect(
      client.chat.postMessage({ channel: 'C0APPROVALS', blocks: [section('no text')] }),
    ).rejects.toMatchObject(platformError('invalid_blocks'));
    expect(slack.messages('C0APPROVALS')).toHaveLength(1);
  });

  test('a view over the limits is refused with invalid_arguments', async () => {
    const refused = client.views.open({
      trigger_id: slack.issueTrigger(),
      view: modal('t'.repeat(25)),
    });

    await expect(refused).rejects.toMatchObject({
      data: {
        error: 'invalid_arguments',
        response_metadata: {
          messages: [expect.stringMatching(/title\.text is 25 characters.*\/view\/title\/text/)],
        },
      },
    });
  });

  test('a response_url takes 5 posts, then answers 404 expired_url', async () => {
    const url = slack.newResponseUrl();
    const post = (text: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, replace_original: true }),
      });

    const statuses: number[] = [];
    for (let use = 1; use <= 6; use += 1) {
      statuses.push((await post(`use ${use}`)).status);
    }

    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(slack.callsTo('response_url')[0]).toMatchObject({
      ok: true,
      args: { text: 'use 1', replace_original: true, url },
    });
    expect(slack.callsTo('response_url')[5]).toMatchObject({ ok: false, error: 'expired_url' });
  });

  test('a response_url expires after 30 minutes', async () => {
    const url = slack.newResponseUrl();
    clock += 30 * 60_000 + 1;

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'too late' }),
    });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error: 'expired_url' });
  });

  test('users.info and users.lookupByEmail answer from the fixtures', async () => {
    const info = await client.users.info({ user: 'U0ALICE' });
    const byEmail = await client.users.lookupByEmail({ email: 'alice@EXAMPLE.com' });

    expect(info.user).toMatchObject({
      id: 'U0ALICE',
      team_id: 'T0LOCAL',
      name: 'alice',
      real_name: 'Alice Liddell',
      deleted: false,
      is_bot: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_email_confirmed: true,
      profile: { email: 'Alice@Example.com', real_name: 'Alice Liddell' },
    });
    expect(byEmail.user?.id).toBe('U0ALICE');
    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject(
      platformError('user_not_found'),
    );
    await expect(client.users.lookupByEmail({ email: 'nobody@example.com' })).rejects.toMatchObject(
      platformError('users_not_found'),
    );
  });

  test('an unknown method answers unknown_method', async () => {
    await expect(client.apiCall('chat.teleport', {})).rejects.toMatchObject(
      platformError('unknown_method'),
    );
  });

  test('waitForCall resolves on a later call and names what it saw when it times out', async () => {
    const waiting = slack.waitForCall('chat.postMessage', (call) => call.args.text === 'second');
    await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'first' });
    await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'second' });

    await expect(waiting).resolves.toMatchObject({ args: { text: 'second' } });
    await expect(slack.waitForCall('views.open', undefined, 20)).rejects.toThrow(
      'No views.open call within 20 ms; calls so far: chat.postMessage ×2',
    );
  });
});

// The driver is only useful if real Bolt accepts what it sends, so it is tested against one.
describe('SlackDriver against a real Bolt app', () => {
  const signingSecret = 'test-signing-secret';
  let slack: SlackStandIn;
  let app: App;
  let driver: SlackDriver;
  let seen: { approvedBy?: string; approvedValue?: string };

  beforeEach(async () => {
    seen = {};
    slack = await SlackStandIn.start();
    slack.addUser({ id: 'U0ADMIN', name: 'admin', email: 'admin@example.com' });
    const receiver = new HTTPReceiver({ signingSecret, logLevel: LogLevel.ERROR });
    app = new App({
      token: 'xoxb-local-standin',
      receiver,
      logLevel: LogLevel.ERROR,
      deferInitialization: true,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    });
    await app.init();
    registerInviteFlow(app, seen);
    const address = (await receiver.start(0)).address();
    if (address === null || typeof address === 'string') {
      throw new Error('the Bolt receiver has no TCP port');
    }
    driver = new SlackDriver({
      eventsUrl: `http://127.0.0.1:${address.port}/slack/events`,
      signingSecret,
      slack,
    });
  });

  afterEach(async () => {
    await app.stop();
    await slack.stop();
  });

  async function openInviteModal(): Promise<string> {
    const command = await driver.command('U0ADMIN', 'invite');
    expect(command.status).toBe(200);
    const opened = await slack.waitForCall('views.open');
    expect(opened.ok).toBe(true);
    const [viewId] = [...slack.views.keys()];
    return viewId ?? '';
  }

  test('a slash command opens a modal with its trigger, owned by the person', async () => {
    const viewId = await openInviteModal();

    expect(slack.views.get(viewId)?.userId).toBe('U0ADMIN');
  });

  test('field errors come back in the ack and leave the modal open', async () => {
    const viewId = await openInviteModal();

    const result = await driver.submitView('U0ADMIN', viewId, {
      Email: 'alice@example.org',
      Role: 'Admin',
    });

    expect(result).toEqual({
      status: 200,
      ack: { response_action: 'errors', errors: { email: 'Use a company address' } },
    });
    expect(slack.views.has(viewId)).toBe(true);
  });

  test('a valid submission closes the modal; a click on the card reaches the app', async () => {
    const viewId = await openInviteModal();

    await driver.submitView('U0ADMIN', viewId, { Email: 'alice@example.com', Role: 'Admin' });
    const posted = await slack.waitForCall('chat.postMessage');
    const [card] = slack.messages('C0APPROVALS');
    const click = await driver.clickButton(
      'U0ADMIN',
      { channel: 'C0APPROVALS', ts: card?.ts ?? '' },
      'Approve',
    );
    const responded = await slack.waitForCall('response_url');

    expect(slack.views.has(viewId)).toBe(false);
    expect(posted.args.text).toBe('Invite alice@example.com as admin?');
    expect(click.status).toBe(200);
    expect(seen).toEqual({ approvedBy: 'U0ADMIN', approvedValue: 'alice@example.com|admin' });
    expect(responded.args).toMatchObject({
      replace_original: true,
      text: 'Approved by <@U0ADMIN>',
    });
  });

  test('labels that are not there are named in the error', async () => {
    const viewId = await openInviteModal();

    await expect(driver.submitView('U0ADMIN', viewId, { Mail: 'x' })).rejects.toThrow(
      'No field labelled "Mail" in view',
    );
    await expect(driver.submitView('U0ADMIN', viewId, { Email: 'a@example.com' })).rejects.toThrow(
      '"Role" is required',
    );
    await expect(
      driver.submitView('U0ADMIN', viewId, { Email: 'a@example.com', Role: 'Owner' }),
    ).rejects.toThrow('Field "Role" has no option "Owner"; its options: "Admin", "Viewer"');
    await expect(driver.clickButton('U0ADMIN', { viewId }, 'Nope')).rejects.toThrow(
      'No button "Nope" in view',
    );
  });

  test('a request with a wrong signature is refused', async () => {
    const body = new URLSearchParams({ command: '/vams', text: 'invite' }).toString();

    const forged = await driver.sendSigned(body, { signature: `v0=${'0'.repeat(64)}` });
    const stale = await driver.sendSigned(body, { timestamp: Math.floor(Date.now() / 1000) - 600 });

    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
  });
});

function registerInviteFlow(app: App, seen: { approvedBy?: string; approvedValue?: string }): void {
  app.command('/vams', async ({ ack, body, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'invite',
        title: { type: 'plain_text', text: 'Invite' },
        submit: { type: 'plain_text', text: 'Invite' },
        blocks: [
          {
            type: 'input',
            block_id: 'email',
            label: { type: 'plain_text', text: 'Email' },
            element: { type: 'email_text_input', action_id: 'value' },
          },
          {
            type: 'input',
            block_id: 'role',
            label: { type: 'plain_text', text: 'Role' },
            element: {
              type: 'static_select',
              action_id: 'value',
              options: [
                { text: { type: 'plain_text', text: 'Admin' }, value: 'admin' },
                { text: { type: 'plain_text', text: 'Viewer' }, value: 'viewer' },
              ],
            },
          },
        ],
      },
    });
  });
  app.view('invite', async ({ ack, view, client }) => {
    const email = view.state.values.email?.value?.value ?? '';
    const role = view.state.values.role?.value?.selected_option?.value ?? '';
    if (!email.endsWith('@example.com')) {
      await ack({ response_action: 'errors', errors: { email: 'Use a company address' } });
      return;
    }
    await ack();
    await client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: `Invite ${email} as ${role}?`,
      blocks: [
        section(`Invite ${email} as ${role}?`),
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'approve',
              text: { type: 'plain_text', text: 'Approve' },
              value: `${email}|${role}`,
            },
          ],
        },
      ],
    });
  });
  app.action<BlockAction<ButtonAction>>('approve', async ({ ack, body, action, respond }) => {
    await ack();
    seen.approvedBy = body.user.id;
    seen.approvedValue = action.value;
    await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
  });
}
