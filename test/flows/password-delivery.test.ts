import {
  AdminInitiateAuthCommand,
  CreateUserPoolClientCommand,
  NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AccessRequest } from '../../src/domain/request';
import {
  buttonLabels,
  cardMessage,
  clickCard,
  cognitoUser,
  dmsTo,
  type FiledRequest,
  fileOnboarding,
  finished,
  recordCognitoCommands,
  roleRows,
  type SentCognitoCommand,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// TEMP_PASSWORD_DELIVERY=slack-dm: the bot, not Cognito, hands the new user their temporary
// password, by DM and nowhere else.

const PASSWORD_IN_DM = /temporary password is `([^`]+)`/;

/**
 * The password as the person reads it in Slack. mrkdwn turns `<…>` into links and mentions even
 * inside code, so the only safe forms are plain characters and the &amp; &lt; &gt; entities.
 */
function displayedPassword(dm: string): string {
  const raw = PASSWORD_IN_DM.exec(dm)?.[1];
  if (raw === undefined) throw new Error(`no temporary password in the DM: ${dm}`);
  if (/[<>]|&(?!amp;|lt;|gt;)/.test(raw)) {
    throw new Error('the password holds characters Slack would not show as typed');
  }
  return raw.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('temporary passwords delivered by Slack DM', () => {
  let bot: TestBot;
  let sent: SentCognitoCommand[];
  let clientId: string;

  const signIn = (username: string, password: string) =>
    bot.deployment.clients.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: bot.deployment.userPoolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );

  beforeAll(async () => {
    bot = await startTestBot({ env: { TEMP_PASSWORD_DELIVERY: 'slack-dm' } });
    sent = recordCognitoCommands(bot);
    await bot.deployment.addRole('viewer');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('bea@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0BEA', email: 'bea@example.com', emailConfirmed: true });
    // Already in Slack, not yet in VAMS.
    bot.slack.addUser({ id: 'U0NEW', email: 'newcomer@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0LATE', email: 'late@example.com', emailConfirmed: true });
    const client = await bot.deployment.clients.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: bot.deployment.userPoolId,
        ClientName: 'vams-web',
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    clientId = client.UserPoolClient?.ClientId ?? '';
  });
  afterAll(() => bot.stop());

  describe('when the new user is in Slack', () => {
    let filed: FiledRequest;
    let password: string;

    beforeAll(async () => {
      filed = await fileOnboarding(bot, 'U0ADA', {
        userId: 'newcomer',
        email: 'newcomer@example.com',
      });
      await clickCard(bot, 'U0BEA', filed, 'Approve');
      expect((await finished(bot, filed)).status).toBe('succeeded');
      const [dm] = dmsTo(bot.slack, 'U0NEW');
      password = displayedPassword(dm ?? '');
    });

    it('DMs the new user their temporary password, once', () => {
      const dms = dmsTo(bot.slack, 'U0NEW');
      expect(dms).toHaveLength(1);
      expect(dms[0]).toContain('Your user ID is `newcomer`');
      expect(password.length).toBeGreaterThanOrEqual(16);
    });

    it('creates the Cognito user with the invitation suppressed', () => {
      const creates = sent.filter((call) => call.command === 'AdminCreateUserCommand');
      expect(creates).toHaveLength(1);
      expect(creates[0]?.input).toMatchObject({ Username: 'newcomer', MessageAction: 'SUPPRESS' });
    });

    it('gives a password that signs in and asks for a new one', async () => {
      const answer = await signIn('newcomer', password);
      expect(answer.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      expect((await cognitoUser(bot.deployment, 'newcomer'))?.UserStatus).toBe(
        'FORCE_CHANGE_PASSWORD',
      );
    });

    it('leaves no other password working: the one set at creation was replaced', async () => {
      const atCreation = sent.find((call) => call.command === 'AdminCreateUserCommand')?.input
        .TemporaryPassword;
      expect(typeof atCreation).toBe('string');
      expect(atCreation).not.toBe(password);
      await expect(signIn('newcomer', String(atCreation))).rejects.toBeInstanceOf(
        NotAuthorizedException,
      );
    });

    it('puts the password in no other Slack call and no log line', () => {
      const ownersDm = bot.slack.dmChannelOf('U0NEW');
      const passwords = sent.flatMap((call) =>
        ['TemporaryPassword', 'Password'].flatMap((key) => {
          const value = call.input[key];
          return typeof value === 'string' ? [value] : [];
        }),
      );
      expect(passwords).toContain(password);
      const elsewhere = bot.slack.calls.filter(
        (call) =>
          !(call.method === 'chat.postMessage' && call.args.channel === ownersDm) &&
          passwords.some((secret) => JSON.stringify(call.args).includes(secret)),
      );
      expect(elsewhere.map((call) => call.method)).toEqual([]);
      expect(bot.logs.filter((line) => passwords.some((secret) => line.includes(secret)))).toEqual(
        [],
      );
    });

    it('tells the thread and the requester how it was delivered, without the password', () => {
      const result = threadReplies(bot.slack, filed)
        .map((message) => textIn(message.blocks))
        .at(-1);
      expect(result).toContain('The temporary password went to them by Slack DM.');
      expect(result).not.toContain(password);
      const outcome = dmsTo(bot.slack, 'U0ADA').find((text) => text.includes('was created'));
      expect(outcome).toContain('went to them by Slack DM');
    });
  });

  describe('when the new user is not in Slack', () => {
    let done: AccessRequest;
    let sentBefore: number;

    beforeAll(async () => {
      sentBefore = sent.length;
      const filed = await fileOnboarding(bot, 'U0ADA', {
        userId: 'outsider',
        email: 'outsider@elsewhere.example',
      });
      await clickCard(bot, 'U0BEA', filed, 'Approve');
      done = await finished(bot, filed);
    });

    it('falls back to the Cognito invitation email', async () => {
      expect(done.status).toBe('succeeded');
      const since = sent.slice(sentBefore);
      const creates = since.filter((call) => call.command === 'AdminCreateUserCommand');
      expect(creates).toHaveLength(1);
      expect(creates[0]?.input).toMatchObject({
        Username: 'outsider',
        DesiredDeliveryMediums: ['EMAIL'],
      });
      expect(creates[0]?.input).not.toHaveProperty('MessageAction');
      expect(creates[0]?.input).not.toHaveProperty('TemporaryPassword');
      expect(since.map((call) => call.command)).not.toContain('AdminSetUserPasswordCommand');
      expect(done.steps.find((step) => step.name === 'choose-delivery')?.detail).toBe(
        'by Cognito email (not found in Slack)',
      );
    });

    it('sends no password anywhere in Slack', () => {
      const withPassword = bot.slack.calls.filter((call) =>
        JSON.stringify(call.args).includes('temporary password is'),
      );
      // Only the earlier newcomer's own DM.
      expect(withPassword.map((call) => call.args.channel)).toEqual([
        bot.slack.dmChannelOf('U0NEW'),
      ]);
    });
  });

  describe('when the DM cannot be delivered', () => {
    let filed: FiledRequest;
    let failed: AccessRequest;

    beforeAll(async () => {
      filed = await fileOnboarding(bot, 'U0ADA', { userId: 'late', email: 'late@example.com' });
      // The requester's DM channel is open already; the next one opened is the new user's.
      bot.slack.failNext('conversations.open', 'user_disabled');
      await clickCard(bot, 'U0BEA', filed, 'Approve');
      failed = await finished(bot, filed);
    });

    it('ends failed, naming the step and everything already done', () => {
      expect(failed.status).toBe('failed');
      expect(failed.failure).toContain('Step “Deliver the temporary password” failed');
      expect(failed.failure).toContain(
        'Already done: Find the new user in Slack for the temporary password; Create Cognito user late; Assign VAMS role viewer.',
      );
    });

    it('says so in the thread, on the card and to the requester', async () => {
      const result = threadReplies(bot.slack, filed)
        .map((message) => textIn(message.blocks))
        .at(-1);
      expect(result).toContain(':x: Step “Deliver the temporary password” failed');
      expect(result).toContain('Create Cognito user late; Assign VAMS role viewer');
      const card = cardMessage(bot.slack, filed);
      // No decision is left to make; an approver may only resume it.
      expect(buttonLabels(card.blocks)).toEqual(['Retry']);
      expect(textIn(card.blocks)).toContain(':x: Failed');
      expect(
        dmsTo(bot.slack, 'U0ADA').some((text) =>
          text.includes('Deliver the temporary password” failed'),
        ),
      ).toBe(true);
      expect(dmsTo(bot.slack, 'U0LATE')).toEqual([]);
      expect((await roleRows(bot.deployment, 'late')).map((row) => row.roleName)).toEqual([
        'viewer',
      ]);
    });
  });
  describe('when the Slack account with the email is not someone the bot serves', () => {
    // users.lookupByEmail finds each of these; none may receive a password.
    const refused = [
      { id: 'U0GUEST', userId: 'guest-new', isRestricted: true, why: 'is a guest' },
      { id: 'U0GONE', userId: 'gone-new', deleted: true, why: 'is deactivated' },
      {
        id: 'U0FAR',
        userId: 'far-new',
        teamId: 'T0ELSEWHERE',
        why: 'belongs to another workspace',
      },
      {
        id: 'U0UNSURE',
        userId: 'unsure-new',
        emailConfirmed: false,
        why: 'has no confirmed email',
      },
    ];
    const ended: AccessRequest[] = [];
    const filings: FiledRequest[] = [];
    let sentBefore: number;

    beforeAll(async () => {
      sentBefore = sent.length;
      for (const { id, userId, isRestricted, deleted, teamId, emailConfirmed } of refused) {
        bot.slack.addUser({
          id,
          email: `${userId}@example.com`,
          emailConfirmed: emailConfirmed ?? true,
          ...(isRestricted ? { isRestricted } : {}),
          ...(deleted ? { deleted } : {}),
          ...(teamId ? { teamId } : {}),
        });
        const filed = await fileOnboarding(bot, 'U0ADA', {
          userId,
          email: `${userId}@example.com`,
        });
        await clickCard(bot, 'U0BEA', filed, 'Approve');
        filings.push(filed);
        ended.push(await finished(bot, filed));
      }
    });

    it('sends them nothing: Cognito emails the invitation instead', () => {
      const since = sent.slice(sentBefore);
      expect(since.map((call) => call.command)).not.toContain('AdminSetUserPasswordCommand');
      for (const [index, { id, userId }] of refused.entries()) {
        expect(ended[index]?.status).toBe('succeeded');
        const creates = since.filter(
          (call) => call.command === 'AdminCreateUserCommand' && call.input.Username === userId,
        );
        expect(creates).toHaveLength(1);
        expect(creates[0]?.input).not.toHaveProperty('MessageAction');
        expect(creates[0]?.input).not.toHaveProperty('TemporaryPassword');
        const toThem = bot.slack
          .callsTo('chat.postMessage')
          .filter((call) => call.args.channel === bot.slack.dmChannelOf(id));
        expect(toThem).toEqual([]);
      }
    });

    it('says why in the thread and to the requester', () => {
      for (const [index, { why, userId }] of refused.entries()) {
        const filed = filings[index];
        if (!filed) throw new Error('not filed');
        expect(ended[index]?.steps.find((step) => step.name === 'choose-delivery')?.detail).toBe(
          `by Cognito email: the Slack account with that email ${why}`,
        );
        const expected = `The temporary password went by Cognito's email: the Slack account with that email ${why}.`;
        expect(textIn(threadReplies(bot.slack, filed).map((reply) => reply.blocks))).toContain(
          expected,
        );
        expect(
          dmsTo(bot.slack, 'U0ADA').some(
            (text) => text.includes(`VAMS user ${userId} was created`) && text.includes(expected),
          ),
        ).toBe(true);
      }
    });
  });

  describe('when the new user stops being someone the bot serves before the password goes out', () => {
    let filed: FiledRequest;
    let done: AccessRequest;
    let sentBefore: number;

    beforeAll(async () => {
      sentBefore = sent.length;
      bot.slack.addUser({ id: 'U0TURNED', email: 'turned@example.com', emailConfirmed: true });
      filed = await fileOnboarding(bot, 'U0ADA', { userId: 'turned', email: 'turned@example.com' });
      // Made a guest while the user is being created, after the delivery was chosen.
      const name = 'turn-guest-on-create';
      bot.app.backend.clients.cognito.middlewareStack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          if (context.commandName === 'AdminCreateUserCommand')
            bot.slack.addUser({
              id: 'U0TURNED',
              email: 'turned@example.com',
              emailConfirmed: true,
              isRestricted: true,
            });
          return result;
        },
        { step: 'initialize', name },
      );
      try {
        await clickCard(bot, 'U0BEA', filed, 'Approve');
        done = await finished(bot, filed);
      } finally {
        bot.app.backend.clients.cognito.middlewareStack.remove(name);
      }
    });

    it('has Cognito email a new temporary password instead, and says so', () => {
      expect(done.status).toBe('succeeded');
      expect(done.steps.find((step) => step.name === 'choose-delivery')?.detail).toBe(
        'by Slack DM to U0TURNED',
      );
      const since = sent.slice(sentBefore);
      expect(
        since.filter(
          (call) =>
            call.command === 'AdminCreateUserCommand' && call.input.MessageAction === 'RESEND',
        ),
      ).toHaveLength(1);
      expect(dmsTo(bot.slack, 'U0TURNED')).toEqual([]);
      expect(textIn(threadReplies(bot.slack, filed).map((reply) => reply.blocks))).toContain(
        "The temporary password went by Cognito's email: the Slack account with that email is a guest now.",
      );
    });
  });
});
