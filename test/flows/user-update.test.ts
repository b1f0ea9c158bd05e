import {
  AdminCreateUserCommand,
  AdminUpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { WebClient } from '@slack/web-api';
import { EMAIL_PROBLEM, PHONE_PROBLEM } from '../../src/kinds/onboarding/form';
import { USER_UPDATE_IDS } from '../../src/views/user-update.view';
import { eventually } from '../support/eventually';
import {
  answerTo,
  attributesOf,
  cardMessage,
  cognitoUser,
  dmsTo,
  type FiledRequest,
  finished,
  helpShown,
  logEntries,
  recordCognitoCommands,
  requestStore,
  type SentCognitoCommand,
  storedRequest,
  submittedDm,
  textIn,
} from '../support/onboarding-flow';
import type { FieldValue } from '../support/slack-driver';
import { APPROVAL_CHANNEL, startTestBot, type TestBot } from '../support/test-bot';
import type { TestDeployment } from '../support/vams-deployment';

const REASON = 'New contact details from HR';
const REMOVE = 'Remove the phone number';

/** A Cognito user as VAMS creates one, with a phone whose verified flag tells what was sent. */
async function addUser(
  deployment: TestDeployment,
  username: string,
  email: string,
  phone?: string,
): Promise<void> {
  await deployment.clients.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: deployment.userPoolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'false' },
        ...(phone
          ? [
              { Name: 'phone_number', Value: phone },
              { Name: 'phone_number_verified', Value: 'false' },
            ]
          : []),
      ],
    }),
  );
}

/** `/vams user update <userId>`: the view that opened, once it shows more than "Loading…". */
async function openUpdate(bot: TestBot, slackUserId: string, userId: string): Promise<string> {
  const before = new Set(bot.slack.views.keys());
  await bot.driver.command(slackUserId, `user update ${userId}`);
  return eventually(() => {
    const opened = [...bot.slack.views.entries()].find(
      ([viewId, stored]) => !before.has(viewId) && !textIn(stored.view.blocks).includes('Loading'),
    );
    if (!opened) throw new Error(`no update dialog is ready for ${userId}`);
    return opened[0];
  });
}

function viewOf(bot: TestBot, viewId: string): Record<string, unknown> {
  const stored = bot.slack.views.get(viewId);
  if (!stored) throw new Error(`view ${viewId} is gone`);
  return stored.view;
}

async function fileUpdate(
  bot: TestBot,
  requester: string,
  userId: string,
  fields: Record<string, FieldValue>,
): Promise<FiledRequest> {
  const viewId = await openUpdate(bot, requester, userId);
  const submitted = await bot.driver.submitView(requester, viewId, { Reason: REASON, ...fields });
  if (submitted.ack !== null) throw new Error(`not accepted: ${JSON.stringify(submitted.ack)}`);
  const card = await eventually(() => {
    const found = bot.slack
      .messages(APPROVAL_CHANNEL)
      .find(
        (message) =>
          !message.threadTs &&
          message.text?.startsWith('User update') &&
          message.text.includes(` for ${userId} by <@${requester}>: pending`),
      );
    if (!found) throw new Error(`no card for ${userId}`);
    return found;
  });
  const id = /request (R[0-9A-Z]+) /.exec(card.text ?? '')?.[1] ?? '';
  await eventually(async () => {
    if (!(await requestStore(bot).get(id))?.card) throw new Error('card not placed yet');
  });
  await submittedDm(bot, requester, id);
  return { id, userId, card: { channel: APPROVAL_CHANNEL, ts: card.ts } };
}

function sentTo(sent: SentCognitoCommand[], command: string): Record<string, unknown>[] {
  return sent.filter((entry) => entry.command === command).map((entry) => entry.input);
}

describe('/vams user update: only what changed is sent, marked verified', () => {
  let bot: TestBot;
  let sent: SentCognitoCommand[];

  beforeAll(async () => {
    bot = await startTestBot();
    sent = recordCognitoCommands(bot);
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('alan@example.com', ['admin']);
    await bot.deployment.addVamsUser('carl@example.com', ['viewer']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0CARL', email: 'carl@example.com', emailConfirmed: true });
    await addUser(bot.deployment, 'erin', 'erin@example.com', '+14155550101');
    await addUser(bot.deployment, 'finn', 'finn@example.com', '+14155550102');
    await addUser(bot.deployment, 'gus', 'gus@example.com', '+14155550103');
    await addUser(bot.deployment, 'hal', 'hal@example.com', '+14155550104');
    await addUser(bot.deployment, 'ivy', 'ivy@example.com', '+14155550105');
    await addUser(bot.deployment, 'nophone', 'nophone@example.com');
  });
  afterAll(() => bot.stop());

  it('opens "Loading…" first, then fills the form with the current values, keeping the hash', async () => {
    const viewId = await openUpdate(bot, 'U0ADA', 'erin');
    const [open] = bot.slack.callsTo('views.open').slice(-1);
    expect(textIn(open?.args.view)).toContain('Loading…');
    const update = bot.slack.callsTo('views.update').find((call) => call.args.view_id === viewId);
    expect(update?.ok).toBe(true);
    expect(typeof update?.args.hash).toBe('string');
    const view = viewOf(bot, viewId);
    expect(view.callback_id).toBe(USER_UPDATE_IDS.callbackId);
    expect(view.private_metadata).toBe('erin');
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).toContain('"initial_value":"erin@example.com"');
    expect(blocks).toContain('"initial_value":"+14155550101"');
    expect(textIn(view.blocks)).toContain('Left empty, the current number stays');
  });

  it('changes only the email: the phone stays (no VAMS bug), the new email is marked verified, the card shows old → new', async () => {
    sent.length = 0;
    const logsBefore = bot.logs.length;
    const filed = await fileUpdate(bot, 'U0ADA', 'erin', { Email: 'erin.new@example.com' });
    expect((await storedRequest(bot, filed.id)).params).toEqual({
      userId: 'erin',
      email: 'erin.new@example.com',
    });
    const card = textIn(cardMessage(bot.slack, filed).blocks);
    expect(card).toContain('Email: erin@example.com → erin.new@example.com (marked verified)');
    expect(card).toContain('Phone number stays +14155550101');
    expect(card).toContain('No other Cognito user has erin.new@example.com');

    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');

    const after = attributesOf(await cognitoUser(bot.deployment, 'erin'));
    expect(after.email).toBe('erin.new@example.com');
    expect(after.phone_number).toBe('+14155550101');
    // Sent for the email only: the phone's flag is as it was.
    expect(after.phone_number_verified).toBe('false');
    // moto keeps email_verified as it was after an email change: what was sent is the proof.
    expect(sentTo(sent, 'AdminUpdateUserAttributesCommand')).toEqual([
      {
        UserPoolId: bot.deployment.userPoolId,
        Username: 'erin',
        UserAttributes: [
          { Name: 'email', Value: 'erin.new@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      },
    ]);
    expect(sentTo(sent, 'AdminDeleteUserAttributesCommand')).toEqual([]);

    const audit = logEntries(bot, logsBefore)
      .map((entry) => String(entry.msg ?? ''))
      .filter((msg) => msg.startsWith('[AUTHCHANGES][type: cognitoUserUpdate]'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toContain('[user: alan@example.com]');
    expect(audit[0]).toContain('"email":{"old":"erin@example.com","new":"erin.new@example.com"}');
    expect(dmsTo(bot.slack, 'U0ADA').join('\n')).toContain(
      'the email is now erin.new@example.com (verified)',
    );
  });

  it('warns approvers on the card when another Cognito user already has the new email', async () => {
    await addUser(bot.deployment, 'iris', 'iris@example.com');
    await addUser(bot.deployment, 'ivy-twin', 'shared@example.com');
    const filed = await fileUpdate(bot, 'U0ADA', 'iris', { Email: 'shared@example.com' });
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain(
      'Other Cognito users already have shared@example.com: ivy-twin',
    );
    await bot.driver.clickButton('U0ADA', filed.card, 'Cancel request');
    await eventually(async () => {
      if ((await storedRequest(bot, filed.id)).status !== 'cancelled') throw new Error('not yet');
    });
  });

  it('changes only the phone, typed with spaces and brackets, and marks it verified', async () => {
    sent.length = 0;
    const filed = await fileUpdate(bot, 'U0ADA', 'finn', { 'Phone number': '+1 (415) 555-0199' });
    const card = textIn(cardMessage(bot.slack, filed).blocks);
    expect(card).toContain('Phone number: +14155550102 → +14155550199 (marked verified)');
    expect(card).toContain('Email stays finn@example.com');
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    const after = attributesOf(await cognitoUser(bot.deployment, 'finn'));
    expect(after.phone_number).toBe('+14155550199');
    expect(after.phone_number_verified).toBe('true');
    expect(after.email).toBe('finn@example.com');
    expect(after.email_verified).toBe('false');
    expect(sentTo(sent, 'AdminUpdateUserAttributesCommand')).toEqual([
      {
        UserPoolId: bot.deployment.userPoolId,
        Username: 'finn',
        UserAttributes: [
          { Name: 'phone_number', Value: '+14155550199' },
          { Name: 'phone_number_verified', Value: 'true' },
        ],
      },
    ]);
  });

  it('removes the phone only when the box is ticked, with AdminDeleteUserAttributes', async () => {
    sent.length = 0;
    // The number is left as the form showed it: the box alone decides.
    const filed = await fileUpdate(bot, 'U0ADA', 'gus', { 'Phone removal': [REMOVE] });
    expect((await storedRequest(bot, filed.id)).params).toEqual({
      userId: 'gus',
      removePhone: true,
    });
    expect(textIn(cardMessage(bot.slack, filed).blocks)).toContain(
      'Phone number: +14155550103 → removed',
    );
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    const after = attributesOf(await cognitoUser(bot.deployment, 'gus'));
    expect(after.phone_number).toBeUndefined();
    expect(after.email).toBe('gus@example.com');
    expect(sentTo(sent, 'AdminDeleteUserAttributesCommand')).toEqual([
      {
        UserPoolId: bot.deployment.userPoolId,
        Username: 'gus',
        UserAttributeNames: ['phone_number'],
      },
    ]);
    expect(sentTo(sent, 'AdminUpdateUserAttributesCommand')).toEqual([]);
    expect(dmsTo(bot.slack, 'U0ADA').join('\n')).toContain('the phone number is removed');
  });

  it('keeps the phone when its field is emptied without ticking the box', async () => {
    sent.length = 0;
    const filed = await fileUpdate(bot, 'U0ADA', 'hal', {
      Email: 'hal.new@example.com',
      'Phone number': null,
    });
    expect((await storedRequest(bot, filed.id)).params).toEqual({
      userId: 'hal',
      email: 'hal.new@example.com',
    });
    await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect((await finished(bot, filed)).status).toBe('succeeded');
    const after = attributesOf(await cognitoUser(bot.deployment, 'hal'));
    expect(after.phone_number).toBe('+14155550104');
    expect(after.email).toBe('hal.new@example.com');
    expect(sentTo(sent, 'AdminDeleteUserAttributesCommand')).toEqual([]);
  });

  it('says nothing would change, in the dialog, and files nothing', async () => {
    const cards = bot.slack.messages(APPROVAL_CHANNEL).length;
    const untouched = await openUpdate(bot, 'U0ADA', 'ivy');
    const asShown = await bot.driver.submitView('U0ADA', untouched, { Reason: REASON });
    expect(asShown.ack).toEqual({
      response_action: 'errors',
      errors: {
        [USER_UPDATE_IDS.email.block]:
          'Nothing would change: edit the email or the phone number, or remove the phone.',
      },
    });
    const emptied = await bot.driver.submitView('U0ADA', untouched, {
      'Phone number': null,
      Reason: REASON,
    });
    expect(emptied.ack).toMatchObject({ errors: { email: expect.stringContaining('Nothing') } });
    expect(bot.slack.messages(APPROVAL_CHANNEL)).toHaveLength(cards);
  });

  it('checks the email, the phone and a removal with a new number, in the dialog', async () => {
    const viewId = await openUpdate(bot, 'U0ADA', 'ivy');
    // Slack's own email check lets a doubled dot through; the bot's does not.
    const invalid = await bot.driver.submitView('U0ADA', viewId, {
      Email: 'ivy..new@example.com',
      'Phone number': '4155550105',
      Reason: REASON,
    });
    expect(invalid.ack).toEqual({
      response_action: 'errors',
      errors: { email: EMAIL_PROBLEM, phone: PHONE_PROBLEM },
    });
    const both = await bot.driver.submitView('U0ADA', viewId, {
      'Phone number': '+14155550177',
      'Phone removal': [REMOVE],
      Reason: REASON,
    });
    expect(both.ack).toMatchObject({
      response_action: 'errors',
      errors: { phone: expect.stringContaining('untick “Remove the phone number”') },
    });
  });

  it('offers no removal box for a user without a phone', async () => {
    const viewId = await openUpdate(bot, 'U0ADA', 'nophone');
    const view = viewOf(bot, viewId);
    expect(textIn(view.blocks)).not.toContain(REMOVE);
    expect(textIn(view.blocks)).toContain('Left empty, the user still has no phone number');
  });

  it('lets only admins ask: the dialog becomes a notice', async () => {
    const viewId = await openUpdate(bot, 'U0CARL', 'erin');
    const view = viewOf(bot, viewId);
    expect(textIn(view.blocks)).toContain('Only VAMS admins can change users’ details.');
    expect(view.submit).toBeUndefined();
    expect(JSON.stringify(view)).not.toContain('erin.new@example.com');
  });

  it('does not let the person it is about approve it', async () => {
    const filed = await fileUpdate(bot, 'U0ADA', 'alan@example.com', {
      'Phone number': '+14155550188',
    });
    const ownClick = await bot.driver.clickButton('U0ALAN', filed.card, 'Approve');
    expect(textIn((await answerTo(bot.slack, ownClick)).args)).toContain(
      'someone else has to decide it',
    );
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');
    await bot.driver.clickButton('U0ADA', filed.card, 'Cancel request');
  });

  it('leaves a value as the form showed it, even if Cognito changed meanwhile', async () => {
    const viewId = await openUpdate(bot, 'U0ADA', 'ivy');
    await bot.deployment.clients.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: bot.deployment.userPoolId,
        Username: 'ivy',
        UserAttributes: [{ Name: 'email', Value: 'ivy.elsewhere@example.com' }],
      }),
    );
    const submitted = await bot.driver.submitView('U0ADA', viewId, {
      'Phone number': '+14155550155',
      Reason: REASON,
    });
    expect(submitted.ack).toBeNull();
    const card = await eventually(() => {
      const found = bot.slack
        .messages(APPROVAL_CHANNEL)
        .find((message) => !message.threadTs && message.text?.includes(' for ivy by '));
      if (!found) throw new Error('no card for ivy');
      return found;
    });
    const id = /request (R[0-9A-Z]+) /.exec(card.text ?? '')?.[1] ?? '';
    await submittedDm(bot, 'U0ADA', id);
    // The email field still held the old address: that is not a change back.
    expect((await storedRequest(bot, id)).params).toEqual({
      userId: 'ivy',
      phone: '+14155550155',
    });
    expect(textIn(card.blocks)).toContain('Email stays ivy.elsewhere@example.com');
    await bot.driver.clickButton(
      'U0ADA',
      { channel: APPROVAL_CHANNEL, ts: card.ts },
      'Cancel request',
    );
  });

  it('opens the same form from the Update button of /vams user show', async () => {
    const command = await bot.driver.command('U0ADA', 'user show finn');
    const shown = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === command.responseUrl,
    );
    const before = new Set(bot.slack.views.keys());
    await bot.driver.clickButton(
      'U0ADA',
      { ephemeral: { channel: 'C0GENERAL', blocks: shown.args.blocks } },
      'Update',
    );
    const view = await eventually(() => {
      const opened = [...bot.slack.views.entries()].find(
        ([id, stored]) => !before.has(id) && stored.view.callback_id === USER_UPDATE_IDS.callbackId,
      );
      if (!opened) throw new Error('no update form opened');
      return opened[1].view;
    });
    expect(view.private_metadata).toBe('finn');
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"finn@example.com"');
  });

  it('says there is no such user, in the dialog', async () => {
    const viewId = await openUpdate(bot, 'U0ADA', 'ghost');
    expect(textIn(viewOf(bot, viewId).blocks)).toContain('There is no Cognito user `ghost`.');
  });

  it('does not overwrite a dialog that changed while loading (hash_conflict)', async () => {
    const held = bot.slack.hold('views.update', (args) => typeof args.hash === 'string');
    const before = new Set(bot.slack.views.keys());
    await bot.driver.command('U0ADA', 'user update ivy');
    const arrived = await held.arrived;
    const viewId = String(arrived.view_id);
    expect(before.has(viewId)).toBe(false);
    // Something else replaces the loading view first: its hash no longer matches.
    const other = new WebClient('xoxb-local-standin', { slackApiUrl: bot.slack.apiUrl });
    await other.views.update({
      view_id: viewId,
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'Something else' },
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'changed meanwhile' } }],
      },
    });
    held.release();
    await bot.slack.waitForCall(
      'views.update',
      (call) => call.args.view_id === viewId && call.error === 'hash_conflict',
    );
    expect(textIn(viewOf(bot, viewId).blocks)).toContain('changed meanwhile');
    await eventually(() => {
      if (!bot.logs.some((line) => line.includes('left as it is'))) throw new Error('not yet');
    });
  });

  it.each(['user update', 'user update a b', 'user update bad id!'])(
    '/vams %s gets a usage error',
    async (text) => {
      const result = await bot.driver.command('U0ADA', text);
      expect(JSON.stringify(result.ack)).toContain('/vams user update <userId>');
    },
  );

  it('is listed in /vams help', async () => {
    expect(await helpShown(bot, 'U0ADA')).toContain('/vams user update <userId>');
  });
});
