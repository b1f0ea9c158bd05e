import type { AuditEvent } from '../../src/domain/audit';
import type { AccessRequest } from '../../src/domain/request';
import { eventually } from '../support/eventually';
import {
  attributesOf,
  buttonLabels,
  cardMessage,
  clickCard,
  cognitoUser,
  dmsTo,
  type FiledRequest,
  fileOnboarding,
  finished,
  logEntries,
  recordCognitoCommands,
  requestStore,
  roleRows,
  type SentCognitoCommand,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// VAMS writes user-role createdOn as naive UTC with microseconds.
const VAMS_ROLE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

describe('onboarding, approved', () => {
  let bot: TestBot;
  let sent: SentCognitoCommand[];

  beforeAll(async () => {
    bot = await startTestBot({ env: { MANAGER_ROLES: 'manager' } });
    sent = recordCognitoCommands(bot);
    await bot.deployment.addRole('manager');
    await bot.deployment.addRole('viewer');
    await bot.deployment.addRole('editor');
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('max@example.com', ['manager']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0MAX', email: 'max@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  describe("a manager's request approved by an admin", () => {
    let filed: FiledRequest;
    let done: AccessRequest;
    let startedAt: Date;
    let firstLogLine: number;

    beforeAll(async () => {
      startedAt = new Date();
      firstLogLine = bot.logs.length;
      filed = await fileOnboarding(bot, 'U0MAX', {
        userId: 'newbie',
        email: 'Newbie@Example.com',
        phone: '+14155550123',
        roles: ['viewer', 'editor'],
        reason: 'Joins the 3D team',
      });
      const click = await clickCard(bot, 'U0ADA', filed, 'Approve');
      expect(click.status).toBe(200);
      done = await finished(bot, filed);
    });

    it('succeeds, approved once by the admin', () => {
      expect(done.status).toBe('succeeded');
      expect(done.approvals).toEqual([
        expect.objectContaining({
          slackUserId: 'U0ADA',
          vamsUserId: 'ada@example.com',
          roles: ['admin'],
        }),
      ]);
      expect(done.requester).toEqual({ slackUserId: 'U0MAX', vamsUserId: 'max@example.com' });
    });

    it('creates the Cognito user as VAMS does: FORCE_CHANGE_PASSWORD, email and phone verified', async () => {
      const user = await cognitoUser(bot.deployment, 'newbie');
      expect(user?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
      expect(user?.Enabled).toBe(true);
      const attributes = attributesOf(user);
      expect(attributes.email).toBe('Newbie@Example.com');
      expect(attributes.email_verified).toBe('true');
      expect(attributes.phone_number).toBe('+14155550123');
      expect(attributes.phone_number_verified).toBe('true');
      const creates = sent.filter((call) => call.command === 'AdminCreateUserCommand');
      expect(creates).toHaveLength(1);
      // Cognito emails the invitation itself: no MessageAction, no password chosen by the bot.
      expect(creates[0]?.input).toMatchObject({
        Username: 'newbie',
        DesiredDeliveryMediums: ['EMAIL'],
      });
      expect(creates[0]?.input).not.toHaveProperty('MessageAction');
      expect(creates[0]?.input).not.toHaveProperty('TemporaryPassword');
    });

    it("writes one role row per role, in VAMS's own format", async () => {
      const rows = await roleRows(bot.deployment, 'newbie');
      expect(rows.map((row) => row.roleName).sort()).toEqual(['editor', 'viewer']);
      for (const row of rows) {
        expect(Object.keys(row).sort()).toEqual(['createdOn', 'roleName', 'userId']);
        expect(row.userId).toBe('newbie');
        expect(row.createdOn).toMatch(VAMS_ROLE_TIMESTAMP);
        const written = Date.parse(`${String(row.createdOn).slice(0, 23)}Z`);
        expect(written).toBeGreaterThanOrEqual(startedAt.getTime() - 1000);
        expect(written).toBeLessThanOrEqual(Date.now() + 1000);
      }
    });

    it("posts each step and the result in the card's thread", async () => {
      const replies = threadReplies(bot.slack, filed).map((message) => textIn(message.blocks));
      // The checklist shows its final state within a second of its last change.
      const progress = await eventually(() => {
        const shown = threadReplies(bot.slack, filed)
          .map((message) => textIn(message.blocks))
          .find((text) => text.includes('progress'));
        expect(shown).toContain(':white_check_mark: Assign VAMS role editor');
        return shown;
      });
      expect(progress).toContain(':white_check_mark: Create Cognito user newbie');
      expect(progress).toContain(':white_check_mark: Assign VAMS role viewer');
      expect(progress).toContain(':white_check_mark: Assign VAMS role editor');
      const result = replies.at(-1);
      expect(result).toContain(':white_check_mark:');
      expect(result).toContain('VAMS user newbie was created with roles viewer, editor');
    });

    it('updates the card: done, who approved, no buttons', () => {
      const card = cardMessage(bot.slack, filed);
      expect(buttonLabels(card.blocks)).toEqual([]);
      expect(textIn(card.blocks)).toContain(':white_check_mark: Done — approved by <@U0ADA>');
      expect(card.text).toContain('succeeded');
    });

    it('tells the requester by DM, with a link to the thread', () => {
      const outcome = dmsTo(bot.slack, 'U0MAX').find((text) => text.includes('was created'));
      expect(outcome).toContain(filed.id);
      expect(outcome).toContain('VAMS user newbie was created');
      expect(outcome).toMatch(/<https:\/\/[^|>]+\|See the request>/);
      // The link goes to this request's card.
      expect(outcome).toContain(`/p${filed.card.ts.replace('.', '')}`);
    });

    it('records requested, approved, each step and succeeded in the audit trail', async () => {
      const events: AuditEvent[] = await requestStore(bot).events(filed.id);
      const types = events.map((event) => event.type);
      expect(types).toEqual([
        'requested',
        'approved',
        'execution-started',
        'step-done',
        'step-done',
        'step-done',
        'succeeded',
      ]);
      expect(events[0]).toMatchObject({
        actor: 'max@example.com',
        detail: { kind: 'user.create' },
      });
      expect(events[1]).toMatchObject({
        actor: 'ada@example.com',
        detail: { slackUserId: 'U0ADA', tally: '1/1' },
      });
      expect(
        events.filter((event) => event.type === 'step-done').map((event) => event.detail?.step),
      ).toEqual(['cognito-create', 'role:viewer', 'role:editor']);
    });

    it('logs VAMS-style [AUTHCHANGES] lines carrying the request id and the approver', () => {
      const entries = logEntries(bot, firstLogLine).filter((entry) =>
        String(entry.msg).startsWith('[AUTHCHANGES]'),
      );
      const creates = entries.filter((entry) =>
        String(entry.msg).startsWith(
          '[AUTHCHANGES][type: cognitoUserCreate] [user: ada@example.com]',
        ),
      );
      const roles = entries.filter((entry) =>
        String(entry.msg).startsWith('[AUTHCHANGES][type: userRoleCreate] [user: ada@example.com]'),
      );
      expect(creates).toHaveLength(1);
      expect(roles).toHaveLength(2);
      for (const entry of [...creates, ...roles]) {
        expect(entry.requestId).toBe(filed.id);
        const json = JSON.parse(String(entry.msg).slice(String(entry.msg).indexOf('{')));
        expect(json).toMatchObject({
          requestId: filed.id,
          requester: 'max@example.com',
          approvers: ['ada@example.com'],
          userId: 'newbie',
        });
      }
      expect(
        roles.map(
          (entry) => JSON.parse(String(entry.msg).slice(String(entry.msg).indexOf('{'))).roleName,
        ),
      ).toEqual(['viewer', 'editor']);
    });

    it("carries the request id in every log line of the request's work", () => {
      const ofRequest = logEntries(bot, firstLogLine).filter((entry) =>
        ['request created', 'approval recorded', 'request succeeded'].includes(String(entry.msg)),
      );
      expect(ofRequest.map((entry) => entry.msg)).toEqual([
        'request created',
        'approval recorded',
        'request succeeded',
      ]);
      for (const entry of ofRequest) expect(entry.requestId).toBe(filed.id);
    });
  });

  describe('a step that fails', () => {
    let filed: FiledRequest;
    let failed: AccessRequest;

    beforeAll(async () => {
      filed = await fileOnboarding(bot, 'U0MAX', { userId: 'raced', roles: ['viewer'] });
      // Someone creates the same User ID in the pool (e.g. in the VAMS web UI) before the approval.
      await bot.deployment.addCognitoUser('raced', 'someone-else@example.com');
      await clickCard(bot, 'U0ADA', filed, 'Approve');
      failed = await finished(bot, filed);
    });

    it('ends the request failed, naming the step and what was already done', () => {
      expect(failed.status).toBe('failed');
      expect(failed.failure).toBe(
        'Step “Create Cognito user raced” failed: User ID raced was taken in the pool after the request was made. Already done: nothing.',
      );
      expect(failed.steps).toEqual([
        expect.objectContaining({ name: 'cognito-create', status: 'failed' }),
      ]);
    });

    it("leaves someone else's Cognito user alone and writes no role rows", async () => {
      const user = await cognitoUser(bot.deployment, 'raced');
      expect(attributesOf(user).email).toBe('someone-else@example.com');
      expect(await roleRows(bot.deployment, 'raced')).toEqual([]);
    });

    it('says so in the thread, on the card (only Retry left), and to the requester', async () => {
      const result = threadReplies(bot.slack, filed)
        .map((message) => textIn(message.blocks))
        .at(-1);
      expect(result).toContain(':x: Step “Create Cognito user raced” failed');
      expect(result).toContain('Already done: nothing.');
      const card = cardMessage(bot.slack, filed);
      // No decision is left to make; an approver may only resume it.
      expect(buttonLabels(card.blocks)).toEqual(['Retry']);
      expect(textIn(card.blocks)).toContain(':x: Failed — approved by <@U0ADA>');
      expect(
        dmsTo(bot.slack, 'U0MAX').some((text) =>
          text.includes('Create Cognito user raced” failed'),
        ),
      ).toBe(true);
      const events = await requestStore(bot).events(filed.id);
      expect(events.find((event) => event.type === 'failed')?.detail).toMatchObject({
        step: 'cognito-create',
      });
      expect(events.some((event) => event.type === 'succeeded')).toBe(false);
    });
  });
});
