import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventually } from '../support/eventually';
import {
  buttonLabels,
  cardMessage,
  dmsTo,
  type FiledRequest,
  fileThroughDialog,
  openedDialog,
  requestStore,
  storedRequest,
  textIn,
  threadReplies,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';
import type { TestDeployment } from '../support/vams-deployment';

// Break-glass: a role at once for those allowed, announced on a card, ended by itself, and
// reviewed afterwards by an admin other than the grantee, with reminders until it is.

const MINUTE = 60_000;
const REASON = 'Production ingest is down and I need to fix it';

async function row(deployment: TestDeployment, userId: string, roleName: string) {
  const found = await deployment.clients.documents.send(
    new GetCommand({
      TableName: deployment.tables.userRoles,
      Key: { userId, roleName },
      ConsistentRead: true,
    }),
  );
  return found.Item;
}

async function replyTo(bot: TestBot, responseUrl: string | undefined): Promise<string> {
  const reply = await bot.slack.waitForCall(
    'response_url',
    (call) => call.args.url === responseUrl,
  );
  return textIn(reply.args);
}

/** What a command's dialog turned into once the bot checked who asks. */
async function dialogText(bot: TestBot, slackUserId: string, text: string, expected: string) {
  const viewId = await openedDialog(bot, slackUserId, text);
  return eventually(() => {
    const shown = textIn(bot.slack.views.get(viewId)?.view.blocks);
    if (!shown.includes(expected)) throw new Error(`not shown yet: ${shown}`);
    return shown;
  });
}

/** Granted, and its card redrawn with the review buttons. */
async function granted(bot: TestBot, filed: FiledRequest) {
  const request = await eventually(async () => {
    const stored = await storedRequest(bot, filed.id);
    if (stored.status !== 'succeeded') throw new Error(`still ${stored.status}`);
    return stored;
  }, 10_000);
  await eventually(() => {
    const labels = buttonLabels(cardMessage(bot.slack, filed).blocks);
    if (!labels.includes('Revoke now')) throw new Error(`buttons: ${labels.join(', ')}`);
  });
  return request;
}

describe('break-glass', () => {
  let bot: TestBot;
  let ahead = 0;
  beforeAll(async () => {
    bot = await startTestBot({
      env: {
        BREAKGLASS_ALLOWED: 'oncall',
        BREAKGLASS_ROLES: 'operator,admin',
        BREAKGLASS_MAX_MINUTES: '60',
        GRANT_DURATIONS: '1,30,240',
        APPROVER_MENTION: 'S0ADMINS',
        REMIND_AFTER_MINUTES: '5',
      },
      tuning: { clock: () => new Date(Date.now() + ahead), sweepMs: 200 },
    });
    for (const role of ['oncall', 'operator', 'viewer']) await bot.deployment.addRole(role);
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('olly', ['oncall'], 'olly@example.com');
    await bot.deployment.addVamsUser('oona', ['oncall', 'admin'], 'oona@example.com');
    await bot.deployment.addVamsUser('vic', ['viewer'], 'vic@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0OLLY', email: 'olly@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0OONA', email: 'oona@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
  });
  afterEach(() => {
    ahead = 0;
  });
  afterAll(() => bot.stop());

  it('is refused to those not allowed, and for roles not offered', async () => {
    expect(await dialogText(bot, 'U0VIC', 'breakglass operator', 'Only holders of')).toContain(
      '`oncall`',
    );
    expect(
      await dialogText(bot, 'U0OLLY', 'breakglass viewer', 'Break-glass does not give'),
    ).toContain('`operator`, `admin`');
    const usage = await bot.driver.command('U0OLLY', 'breakglass');
    expect(textIn(usage.ack)).toContain('/vams breakglass <role>');
  });

  it('offers durations up to BREAKGLASS_MAX_MINUTES and wants a reason of 20 characters', async () => {
    const viewId = await openedDialog(bot, 'U0OLLY', 'breakglass operator');
    const blocks = bot.slack.views.get(viewId)?.view.blocks as {
      block_id?: string;
      element?: { options?: { text: { text: string } }[] };
    }[];
    const offered = blocks.find((block) => block.block_id === 'duration')?.element?.options ?? [];
    expect(offered.map((option) => option.text.text)).toEqual(['1 minute', '30 minutes', '1 hour']);
    const short = await bot.driver.submitView('U0OLLY', viewId, {
      Duration: '1 hour',
      Reason: 'it broke',
    });
    expect(JSON.stringify(short.ack)).toContain('at least 20 characters');
    expect(await row(bot.deployment, 'olly', 'operator')).toBeUndefined();
  });

  it('grants at once, announces it, ends by itself; the grantee cannot review it, another admin can', async () => {
    const filed = await fileThroughDialog(bot, 'U0OLLY', 'breakglass operator', {
      Duration: '1 minute',
      Reason: REASON,
    });
    const request = await granted(bot, filed);
    expect(request).toMatchObject({ kind: 'breakglass', requiredApprovals: 0, approvals: [] });
    expect(await row(bot.deployment, 'olly', 'operator')).toBeDefined();
    // Announced to the approvers when the card is posted; redrawn, it calls nobody again.
    const posted = bot.slack
      .callsTo('chat.postMessage')
      .find(
        (call) =>
          call.args.channel === filed.card.channel &&
          !call.args.thread_ts &&
          String(call.args.text).includes(filed.id),
      );
    expect(String(posted?.args.text)).toMatch(
      /^<!subteam\^S0ADMINS> :rotating_light: Break-glass request R/,
    );
    await eventually(() => {
      const labels = buttonLabels(cardMessage(bot.slack, filed).blocks);
      if (!labels.includes('Reviewed')) throw new Error(`buttons: ${labels.join(', ')}`);
      expect(labels).toEqual(['Reviewed', 'Revoke now']);
    });
    // The grantee, even an admin, does not review their own; a non-admin does not either.
    const bySelf = await bot.driver.clickButton('U0OLLY', filed.card, 'Reviewed');
    expect(await replyTo(bot, bySelf.responseUrl)).toContain('Only VAMS admins can review');
    const byVic = await bot.driver.clickButton('U0VIC', filed.card, 'Reviewed');
    expect(await replyTo(bot, byVic.responseUrl)).toContain('Only VAMS admins can review');
    expect((await storedRequest(bot, filed.id)).review).toBeUndefined();
    await bot.driver.clickButton('U0ADA', filed.card, 'Reviewed');
    await eventually(async () => {
      const reviewed = await storedRequest(bot, filed.id);
      expect(reviewed.review).toMatchObject({
        outcome: 'reviewed',
        by: { vamsUserId: 'ada@example.com' },
      });
    });
    // Reviewed, the card keeps no review buttons: nobody reviews it twice.
    await eventually(() => {
      const labels = buttonLabels(cardMessage(bot.slack, filed).blocks);
      if (labels.length > 0) throw new Error(`buttons: ${labels.join(', ')}`);
    });
    // Reviewed, it leaves the open list; the grant still ends by itself.
    expect((await bot.app.workflow.open()).map((open) => open.id)).not.toContain(filed.id);
    ahead = MINUTE + 1_000;
    await eventually(async () => {
      if (await row(bot.deployment, 'olly', 'operator')) throw new Error('still held');
    }, 5_000);
    const events = (await requestStore(bot).events(filed.id)).map((event) => event.type);
    expect(events).toEqual(
      expect.arrayContaining(['requested', 'granted-without-approval', 'succeeded', 'reviewed']),
    );
  });

  it('an admin who broke glass is reviewed by another admin; Revoke now ends it at once', async () => {
    const filed = await fileThroughDialog(bot, 'U0OONA', 'breakglass operator', {
      Duration: '1 hour',
      Reason: REASON,
    });
    await granted(bot, filed);
    const bySelf = await bot.driver.clickButton('U0OONA', filed.card, 'Revoke now');
    expect(await replyTo(bot, bySelf.responseUrl)).toContain('another admin has to review it');
    expect(await row(bot.deployment, 'oona', 'operator')).toBeDefined();
    const revoked = await bot.driver.clickButton('U0ADA', filed.card, 'Revoke now');
    expect(await replyTo(bot, revoked.responseUrl)).toContain('no longer holds `operator`');
    expect(await row(bot.deployment, 'oona', 'operator')).toBeUndefined();
    await eventually(() => {
      const said = threadReplies(bot.slack, filed)
        .map((reply) => textIn(reply.blocks))
        .join('\n');
      if (!said.includes('revoked on review')) throw new Error(`thread: ${said}`);
    });
    await eventually(() => {
      if (
        !dmsTo(bot.slack, 'U0OONA').some((dm) =>
          dm.includes('Break-glass revoked on review by ada@example.com'),
        )
      )
        throw new Error('no DM yet');
    });
  });

  it('reminds the admins in the thread until it is reviewed', async () => {
    const filed = await fileThroughDialog(bot, 'U0OLLY', 'breakglass operator', {
      Duration: '30 minutes',
      Reason: REASON,
    });
    await granted(bot, filed);
    const reminders = () =>
      threadReplies(bot.slack, filed).filter((reply) => reply.text?.includes('for its review'));
    ahead = 5 * MINUTE + 1_000;
    await eventually(() => {
      if (reminders().length !== 1) throw new Error(`${reminders().length} reminders`);
    });
    expect(reminders()[0]?.text).toContain('<!subteam^S0ADMINS>');
    ahead = 15 * MINUTE + 1_000;
    await eventually(() => {
      if (reminders().length !== 2) throw new Error(`${reminders().length} reminders`);
    });
    await bot.driver.clickButton('U0ADA', filed.card, 'Reviewed');
    await eventually(async () => {
      if (!(await storedRequest(bot, filed.id)).review) throw new Error('not reviewed yet');
    });
    ahead = 60 * MINUTE;
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(reminders()).toHaveLength(2);
  });
});

describe('break-glass when not configured', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({});
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
  });
  afterAll(() => bot.stop());

  it('says it is off, without a dialog', async () => {
    const answer = await bot.driver.command('U0ADA', 'breakglass admin');
    expect(textIn(answer.ack)).toContain('Break-glass is off in this deployment');
    expect(bot.slack.views.size).toBe(0);
  });
});
