import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { eventually } from '../support/eventually';
import {
  type FiledRequest,
  fileThroughDialog,
  finished,
  listEntry,
  listedIds,
  requestsList,
  seedApiKey,
  storedRequest,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

// The App Home: an approver sees what they can decide, with the card's buttons and the card's
// rules; everyone sees their own requests, grants and API keys. Drawn from Queries only.

type View = Record<string, unknown>;

function blocksOf(view: View | undefined): unknown[] {
  return Array.isArray(view?.blocks) ? view.blocks : [];
}

function headers(view: View | undefined): string[] {
  return blocksOf(view).flatMap((block) =>
    typeof block === 'object' && block !== null && 'type' in block && block.type === 'header'
      ? [textIn(block)]
      : [],
  );
}

describe('App Home', () => {
  let bot: TestBot;
  /** DynamoDB commands the bot sent, by name, since the last `reset`. */
  let sent: string[] = [];

  const published = (slackUserId: string) => bot.slack.homeViews.get(slackUserId)?.length ?? 0;

  /** Opens the Home tab and returns the view published for it. */
  async function openHome(slackUserId: string): Promise<View> {
    const before = published(slackUserId);
    const answer = await bot.driver.openHome(slackUserId);
    expect(answer.status).toBe(200);
    return eventually(() => {
      const view = bot.slack.homeOf(slackUserId);
      if (published(slackUserId) <= before || !view) throw new Error('no Home published yet');
      return view;
    });
  }

  async function roleRequest(slackUserId: string, role: string): Promise<FiledRequest> {
    return fileThroughDialog(bot, slackUserId, 'role request', {
      Roles: [role],
      Duration: '1 hour',
      Reason: 'Review the new asset batch',
    });
  }

  beforeAll(async () => {
    bot = await startTestBot({
      env: { MANAGER_ROLES: 'manager', GRANT_DURATIONS: '60', GRANT_MAX_MINUTES: '60' },
      tuning: { homeRefreshMs: 50 },
    });
    for (const role of ['viewer', 'editor', 'manager']) await bot.deployment.addRole(role);
    await bot.deployment.addVamsUser('ada@example.com', ['admin']);
    await bot.deployment.addVamsUser('bea@example.com', ['admin']);
    await bot.deployment.addVamsUser('vic', ['viewer'], 'vic@example.com');
    bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0BEA', email: 'bea@example.com', emailConfirmed: true });
    bot.slack.addUser({ id: 'U0VIC', email: 'vic@example.com', emailConfirmed: true });
    bot.app.backend.clients.documents.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordHomeReads' },
    );
  });
  afterAll(() => bot.stop());

  it('shows an approver what they can decide, with Approve and Reject', async () => {
    const filed = await roleRequest('U0VIC', 'editor');
    const home = await openHome('U0ADA');
    expect(headers(home)).toEqual([
      'VAMS access',
      'Waiting for your decision',
      'Your requests',
      'Your running grants',
      'Your API keys',
    ]);
    const text = textIn(blocksOf(home));
    expect(text).toContain(`*${filed.id}*`);
    expect(text).toContain('You are `ada@example.com` in VAMS');
    const decide = blocksOf(home).find((block) =>
      JSON.stringify(block).includes(`home-decide:${filed.id}`),
    );
    expect(textIn(decide)).toBe('Approve\nReject');
  });

  it('shows a plain user no decisions, but their requests, grants and keys', async () => {
    const apiKeyId = await seedApiKey(bot.deployment, 'vic', 'vic-ci');
    const filed = await roleRequest('U0VIC', 'manager');
    const home = await openHome('U0VIC');
    expect(headers(home)).toEqual([
      'VAMS access',
      'Your requests',
      'Your running grants',
      'Your API keys',
    ]);
    const text = textIn(blocksOf(home));
    expect(text).toContain(`*${filed.id}*`);
    expect(text).toContain('vic-ci');
    expect(text).toContain(apiKeyId);
    expect(text).toContain('No grants running');
    // Their own pending request can be cancelled from there, and cancelling it shows at once.
    const line = blocksOf(home).find((block) => textIn(block).startsWith(`*${filed.id}*`));
    const blockId = (line as { block_id?: string } | undefined)?.block_id ?? '';
    await bot.driver.clickButton('U0VIC', { home: 'U0VIC', block: blockId }, 'Cancel request');
    await eventually(async () =>
      expect((await storedRequest(bot, filed.id)).status).toBe('cancelled'),
    );
    await eventually(() =>
      expect(textIn(blocksOf(bot.slack.homeOf('U0VIC')))).toContain(`You cancelled ${filed.id}`),
    );
  });

  it('reads with Queries and key reads only: no Scan', async () => {
    sent = [];
    await openHome('U0ADA');
    await openHome('U0VIC');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((name) => name.startsWith('Scan'))).toEqual([]);
    expect(new Set(sent)).toEqual(
      new Set(['QueryCommand', 'GetItemCommand', 'BatchGetItemCommand']),
    );
  });

  it('Approve on the Home runs the card rules at click time, and answers on the Home', async () => {
    const filed = await roleRequest('U0VIC', 'editor');
    await openHome('U0BEA');
    await openHome('U0VIC');
    // Bea loses her admin role after her Home was drawn: the button there is refused.
    await bot.deployment.clients.documents.send(
      new DeleteCommand({
        TableName: bot.deployment.tables.userRoles,
        Key: { userId: 'bea@example.com', roleName: 'admin' },
      }),
    );
    const before = published('U0BEA');
    const refused = await bot.driver.clickButton(
      'U0BEA',
      { home: 'U0BEA', block: `home-decide:${filed.id}` },
      'Approve',
    );
    expect(refused.status).toBe(200);
    await eventually(() => expect(published('U0BEA')).toBeGreaterThan(before));
    expect(textIn(blocksOf(bot.slack.homeOf('U0BEA')))).toContain('Only VAMS admins');
    expect((await storedRequest(bot, filed.id)).status).toBe('pending');

    // Ada may: the grant runs, and the grantee's Home shows it without them asking.
    const vicBefore = published('U0VIC');
    await openHome('U0ADA');
    await bot.driver.clickButton(
      'U0ADA',
      { home: 'U0ADA', block: `home-decide:${filed.id}` },
      'Approve',
    );
    expect((await finished(bot, filed)).status).toBe('succeeded');
    await eventually(() => {
      expect(published('U0VIC')).toBeGreaterThan(vicBefore);
      expect(textIn(blocksOf(bot.slack.homeOf('U0VIC')))).toContain('`editor` until');
    });
    expect(textIn(blocksOf(bot.slack.homeOf('U0ADA')))).toContain(`You approved ${filed.id}`);

    // Release now on the Home ends the grant, and the Home says so.
    const vicNow = published('U0VIC');
    const release = blocksOf(bot.slack.homeOf('U0VIC')).find((block) =>
      JSON.stringify(block).includes('Release now'),
    );
    const blockId = (release as { block_id?: string } | undefined)?.block_id ?? '';
    await bot.driver.clickButton('U0VIC', { home: 'U0VIC', block: blockId }, 'Release now');
    await eventually(() => {
      expect(published('U0VIC')).toBeGreaterThan(vicNow);
      expect(textIn(blocksOf(bot.slack.homeOf('U0VIC')))).toContain('No grants running');
    });
  });

  it('a click on the /vams requests list redraws the list as it now stands', async () => {
    const filed = await roleRequest('U0VIC', 'editor');
    const blocks = await requestsList(bot, 'U0ADA');
    expect(listedIds(blocks).decide).toContain(filed.id);
    const click = await bot.driver.clickButton('U0ADA', listEntry(blocks, filed.id), 'Approve');
    const redrawn = await bot.slack.waitForCall(
      'response_url',
      (call) => call.args.url === click.responseUrl,
    );
    expect(redrawn.args.replace_original).toBe(true);
    const after = Array.isArray(redrawn.args.blocks) ? redrawn.args.blocks : [];
    expect(listedIds(after).decide).not.toContain(filed.id);
    expect(textIn(after)).toContain(`You approved ${filed.id}`);
  });
});
