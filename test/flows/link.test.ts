import { LinkStore } from '../../src/stores/link.store';
import { eventually } from '../support/eventually';
import {
  answerTo,
  cardMessage,
  dmsTo,
  fileThroughDialog,
  finished,
  openedDialog,
  requestStore,
  seedApiKey,
  textIn,
} from '../support/onboarding-flow';
import { startTestBot, type TestBot } from '../support/test-bot';

/** What the person sees after `/vams <text>` answered by a reply to its response_url. */
async function replyTo(bot: TestBot, userId: string, text: string): Promise<string> {
  const result = await bot.driver.command(userId, text);
  expect(result.status).toBe(200);
  const reply = await bot.slack.waitForCall(
    'response_url',
    (call) => call.args.url === result.responseUrl,
  );
  return textIn(reply.args.blocks);
}

/** Opens a dialog and waits until the bot's check shows `expected` in it. */
async function dialogSays(bot: TestBot, slackUserId: string, text: string, expected: string) {
  const viewId = await openedDialog(bot, slackUserId, text);
  return eventually(() => {
    const shown = textIn(bot.slack.views.get(viewId)?.view.blocks);
    if (!shown.includes(expected)) throw new Error(`not shown yet: ${shown}`);
    return shown;
  });
}

async function clickAnswer(
  bot: TestBot,
  slackUserId: string,
  card: { channel: string; ts: string },
) {
  return textIn(
    (await answerTo(bot.slack, await bot.driver.clickButton(slackUserId, card, 'Approve'))).args,
  );
}

describe('/vams link and /vams unlink', () => {
  let bot: TestBot;
  let links: LinkStore;
  beforeAll(async () => {
    bot = await startTestBot();
    const { deployment, slack } = bot;
    links = new LinkStore(deployment.clients.documents, deployment.tables.bot);
    await deployment.addRole('viewer');
    await deployment.addVamsUser('ada@example.com', ['admin']);
    await deployment.addVamsUser('alan@example.com', ['admin']);
    await deployment.addVamsUser('bob@example.com', ['viewer']);
    await deployment.addVamsUser('ops-lead', ['admin'], 'ops-lead@corp.example');
    await deployment.addVamsUser('kim', ['viewer'], 'kim@example.com');
    await deployment.addVamsUser('lee', ['viewer'], 'lee@example.com');
    await deployment.addVamsUser('ci-bot', ['viewer'], 'ci-bot@nowhere.example');
    await deployment.addVamsUser('carol-ops', ['viewer'], 'carol-ops@corp.example');
    await deployment.addVamsUser('dan-ops', ['viewer'], 'dan-ops@corp.example');
    const confirmed = (id: string, email: string) => ({ id, email, emailConfirmed: true });
    slack.addUser(confirmed('U0ADA', 'ada@example.com'));
    slack.addUser(confirmed('U0ALAN', 'alan@example.com'));
    slack.addUser(confirmed('U0BOB', 'bob@example.com'));
    // Slack has not confirmed this person's email: no email match, only a link can map them.
    slack.addUser({ id: 'U0NOMAIL', email: 'ops-lead@corp.example', emailConfirmed: false });
    slack.addUser({ ...confirmed('U0GUEST', 'guest@example.com'), isRestricted: true });
    slack.addUser({ id: 'U0OWNER', email: 'someone@example.com', emailConfirmed: false });
    slack.addUser({ id: 'U0CAROL', email: 'carol@example.com', emailConfirmed: false });
    slack.addUser({ id: 'U0DAN', email: 'dan@example.com', emailConfirmed: false });
  });
  afterAll(() => bot.stop());

  it('maps an unmapped person once admins approve a link, and unmaps them at once on unlink', async () => {
    const disable = await fileThroughDialog(bot, 'U0ADA', 'user disable kim', {
      Reason: 'Left the project',
    });
    expect(await clickAnswer(bot, 'U0NOMAIL', disable.card)).toContain(
      'Ask an admin to link your Slack account: `/vams link @you &lt;your VAMS user ID&gt;`',
    );

    const link = await fileThroughDialog(bot, 'U0ADA', 'link <@U0NOMAIL|nomail> ops-lead', {
      Reason: 'Slack has not confirmed their email',
    });
    const card = textIn(cardMessage(bot.slack, link).blocks);
    expect(card).toContain('<@U0NOMAIL>');
    expect(card).toContain('`ops-lead`');
    // Not mapped until the link runs, they cannot approve it either.
    expect(await clickAnswer(bot, 'U0NOMAIL', link.card)).toContain('You cannot decide requests');
    await bot.driver.clickButton('U0ALAN', link.card, 'Approve');
    expect((await finished(bot, link)).status).toBe('succeeded');

    const whoami = await replyTo(bot, 'U0NOMAIL', 'whoami');
    expect(whoami).toContain('*VAMS user:* `ops-lead`');
    expect(whoami).toContain(`*Matched by:* a link made by <@U0ADA> on <!date^`);
    expect(whoami).toContain(`(\`${link.id}\`)`);

    // Now an admin through the link: they approve the disable.
    await bot.driver.clickButton('U0NOMAIL', disable.card, 'Approve');
    const done = await finished(bot, disable);
    expect(done.status).toBe('succeeded');
    expect(done.approvals.map((approval) => approval.vamsUserId)).toEqual(['ops-lead']);

    const signout = await fileThroughDialog(bot, 'U0ADA', 'user signout lee', {
      Reason: 'Lost laptop',
    });
    expect(await replyTo(bot, 'U0ALAN', 'unlink <@U0NOMAIL|nomail>')).toContain(
      'Removed the link of <@U0NOMAIL> to VAMS user `ops-lead`. They were told by DM.',
    );
    expect(dmsTo(bot.slack, 'U0NOMAIL').join('\n')).toContain(
      '<@U0ALAN> removed the link of your Slack account to VAMS user `ops-lead`',
    );
    const events = await requestStore(bot).events('link-U0NOMAIL');
    expect(events).toEqual([
      expect.objectContaining({
        type: 'link-removed-by-admin',
        actor: 'alan@example.com',
        detail: expect.objectContaining({ slackUserId: 'U0NOMAIL', vamsUserId: 'ops-lead' }),
      }),
    ]);
    expect(await replyTo(bot, 'U0NOMAIL', 'whoami')).toContain('You are not mapped');
    expect(await clickAnswer(bot, 'U0NOMAIL', signout.card)).toContain(
      'You cannot decide requests',
    );
    expect((await bot.app.workflow.get(signout.id))?.approvals).toEqual([]);
    expect(await links.slackUserOfVamsUser('ops-lead')).toBeUndefined();
  });

  it('opens the dialog for either mention form, and refuses anything else with its usage', async () => {
    await dialogSays(
      bot,
      'U0ADA',
      'link <@U0OWNER> ci-bot',
      'Link <@U0OWNER> to VAMS user `ci-bot`',
    );
    await dialogSays(bot, 'U0ADA', 'link <@U0OWNER|owner> ci-bot', 'Link <@U0OWNER> to VAMS user');
    for (const junk of [
      'link @owner ci-bot',
      'link ci-bot',
      'link <@U0OWNER>',
      'link <@U0OWNER> a b',
    ]) {
      const result = await bot.driver.command('U0ADA', junk);
      expect(textIn(result.ack)).toContain('Usage: `/vams link @slack-user <vamsUserId>`');
    }
  });

  it('refuses in the dialog what cannot be linked, and non-admins', async () => {
    await dialogSays(
      bot,
      'U0ADA',
      'link <@U0OWNER> nobody-here',
      'There is no VAMS user `nobody-here`',
    );
    await dialogSays(bot, 'U0ADA', 'link <@U0GUEST|guest> ci-bot', 'the Slack account is a guest');
    await dialogSays(
      bot,
      'U0ADA',
      'link <@U0ADA> ci-bot',
      'You cannot link your own Slack account',
    );
    await dialogSays(
      bot,
      'U0BOB',
      'link <@U0OWNER> ci-bot',
      'Only VAMS admins can link Slack accounts',
    );
  });

  it('lets a non-admin remove their own link, but not someone else’s, and says when there is none', async () => {
    await links.link('U0CAROL', 'carol-ops', 'U0ADA', { requestId: 'R0SEEDED1' });
    await links.link('U0DAN', 'dan-ops', 'U0ADA', { requestId: 'R0SEEDED2' });
    expect(await replyTo(bot, 'U0CAROL', 'whoami')).toContain('`carol-ops`');
    expect(await replyTo(bot, 'U0CAROL', 'unlink <@U0DAN|dan>')).toContain(
      'Only VAMS admins can remove someone else’s link',
    );
    expect(await links.linkOf('U0DAN')).toEqual(expect.objectContaining({ vamsUserId: 'dan-ops' }));
    expect(await replyTo(bot, 'U0CAROL', 'unlink <@U0CAROL|carol>')).toContain(
      'Removed the link of your Slack account to VAMS user `carol-ops`.',
    );
    expect(await links.linkOf('U0CAROL')).toBeUndefined();
    expect(await links.slackUserOfVamsUser('carol-ops')).toBeUndefined();
    expect((await requestStore(bot).events('link-U0CAROL')).map((event) => event.type)).toEqual([
      'link-removed-by-self',
    ]);
    expect(await replyTo(bot, 'U0CAROL', 'unlink <@U0CAROL>')).toContain(
      'Your Slack account has no link to remove',
    );
    expect(await replyTo(bot, 'U0ADA', 'unlink <@U0BOB|bob>')).toContain(
      '<@U0BOB> has no link to remove',
    );
  });

  it('tells the owner of a revoked key through their link when their email is not in Slack', async () => {
    const apiKeyId = await seedApiKey(bot.deployment, 'ci-bot', 'nightly');
    await links.link('U0OWNER', 'ci-bot', 'U0ADA', { requestId: 'R0SEEDED3' });
    expect(await replyTo(bot, 'U0ADA', `key revoke ${apiKeyId}`)).toContain(
      '<@U0OWNER> was told by DM',
    );
    expect(dmsTo(bot.slack, 'U0OWNER').join('\n')).toContain(
      '<@U0ADA> deactivated your VAMS API key `nightly`',
    );
  });
});
