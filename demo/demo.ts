import { randomBytes } from 'node:crypto';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type RunningApp, startApp } from '../src/app';
import { seedCognitoUser, seedRole, seedUserRole } from '../src/backend/provision';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging';
import { EVENTS_PATH } from '../src/slack/slack-runtime';
import { SlackDriver } from '../test/support/slack-driver';
import { type RecordedCall, SlackStandIn } from '../test/support/slack-standin';
import { vamsAuthorizes } from '../test/support/vams-authorizer';
import { renderMessage, renderModal } from './render';

const APPROVALS = 'C0APPROVALS';

// A small workspace: an admin, a manager, a plain VAMS user, a guest, and a new hire who is in
// Slack but not yet in VAMS.
const people = [
  { id: 'U0ADA', name: 'Ada (admin)', email: 'ada@example.com', role: 'admin' },
  { id: 'U0BEA', name: 'Bea (admin)', email: 'bea@example.com', role: 'admin' },
  { id: 'U0MAX', name: 'Max (manager)', email: 'max@example.com', role: 'manager' },
  { id: 'U0PAT', name: 'Pat (VAMS user)', email: 'pat@example.com', role: 'viewer' },
  { id: 'U0GUS', name: 'Gus (Slack guest)', email: 'gus@partner.example', role: 'guest' },
  { id: 'U0NIA', name: 'Nia (new hire)', email: 'nia@example.com', role: undefined },
  // In Slack under an address VAMS does not know: only a link makes her a VAMS user.
  { id: 'U0LOU', name: 'Lou (contractor)', email: 'lou@contractor.example', role: undefined },
] as const;
const [ada, bea, max, pat, gus, nia, lou] = people;

const nameOf = (slackUserId: string) => people.find((person) => person.id === slackUserId)?.name;

function print(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

function boxed(heading: string, lines: string[]): void {
  print(`  ${heading}`, ...lines.map((line) => `    │ ${line}`), '');
}

// A VAMS API key value: `vams_` and 64 URL-safe base64 characters.
const KEY_VALUE = 'vams_[A-Za-z0-9_-]{64}';

// The transcript shows that a password arrived, never the password itself.
function masked(lines: string[]): string[] {
  return lines.map((line) =>
    line
      .replace(/(temporary password is )`[^`]+`/, '$1`••••••••••••••••`')
      .replace(new RegExp(KEY_VALUE, 'g'), 'vams_••••••••••••••••'),
  );
}

/** Says what each new Slack call shows to whom, as a person would see it. */
function narrate(slack: SlackStandIn, calls: RecordedCall[], actor: string): void {
  const dmOwner = (channel: string) =>
    people.find((person) => slack.dmChannelOf(person.id) === channel);
  for (const call of calls) {
    const channel = String(call.args.channel ?? '');
    if (call.method === 'response_url') {
      boxed(`${actor} sees (only them):`, renderMessage(call.args, nameOf));
    } else if (call.method === 'views.open' || call.method === 'views.update') {
      boxed(`${actor} sees a dialog:`, renderModal(call.args.view, nameOf));
    } else if (call.method === 'chat.postEphemeral') {
      boxed(
        `${nameOf(String(call.args.user))} sees (only them):`,
        renderMessage(call.args, nameOf),
      );
    } else if (call.method === 'chat.postMessage' && dmOwner(channel)) {
      boxed(`DM to ${dmOwner(channel)?.name}:`, masked(renderMessage(call.args, nameOf)));
    } else if (call.method === 'chat.postMessage' && call.args.thread_ts && call.ok) {
      boxed("In the card's thread:", masked(renderMessage(call.args, nameOf)));
    }
  }
}

function showApprovalsChannel(slack: SlackStandIn, cardTs?: string): void {
  const messages = slack.messages(APPROVALS);
  const cards = messages.filter(
    (message) => !message.threadTs && (!cardTs || message.ts === cardTs),
  );
  for (const card of cards) {
    boxed('#approvals (everyone in the channel sees):', renderMessage(card, nameOf));
    const thread = messages.filter((message) => message.threadTs === card.ts);
    for (const reply of thread) boxed('  └ in its thread:', renderMessage(reply, nameOf));
  }
}

async function seedWorkspace(app: RunningApp, slack: SlackStandIn): Promise<void> {
  const { clients, tables, userPoolId } = app.backend;
  await seedRole(clients.documents, tables.roles, {
    roleName: 'manager',
    description: 'Team managers',
  });
  await seedRole(clients.documents, tables.roles, {
    roleName: 'viewer',
    description: 'Read-only access',
  });
  await seedRole(clients.documents, tables.roles, {
    roleName: 'scanner',
    description: '3D capture team',
  });
  for (const person of people) {
    slack.addUser({
      id: person.id,
      realName: person.name,
      email: person.email,
      emailConfirmed: true,
      isRestricted: person.role === 'guest',
    });
    // Ada is seeded by LOCAL_ADMIN_EMAIL, as a person trying the bot would be.
    if (person.id === ada.id || person.role === 'guest' || person.role === undefined) continue;
    if (userPoolId) await seedCognitoUser(clients.cognito, userPoolId, person.email, person.email);
    await seedUserRole(clients.documents, tables.userRoles, person.email, person.role);
  }
}

async function identityTour(driver: SlackDriver, slack: SlackStandIn): Promise<void> {
  print('━━ 1. Who is who');
  // Help lists what each may use: an admin sees it all, a plain user their own commands.
  for (const person of [ada, pat]) {
    print(`── ${person.name} types /vams help`);
    const result = await driver.command(person.id, 'help');
    const reply = await slack.waitForCall(
      'response_url',
      (call) => call.args.url === result.responseUrl,
    );
    boxed(`${person.name} sees (only them):`, renderMessage(reply.args, nameOf));
  }
  for (const person of [ada, max, pat, gus]) {
    print(`── ${person.name} types /vams whoami`);
    const result = await driver.command(person.id, 'whoami');
    const reply = await slack.waitForCall(
      'response_url',
      (call) => call.args.url === result.responseUrl,
    );
    boxed(`${person.name} sees (only them):`, renderMessage(reply.args, nameOf));
  }
  print(`── ${pat.name} mistypes /vams frobnicate`);
  boxed(
    `${pat.name} sees (only them):`,
    renderMessage((await driver.command(pat.id, 'frobnicate')).ack, nameOf),
  );
}

async function onboardingTour(
  app: RunningApp,
  driver: SlackDriver,
  slack: SlackStandIn,
): Promise<void> {
  print('━━ 2. Onboarding through an approval', '', `── ${max.name} types /vams user create`);
  let mark = slack.calls.length;
  await driver.command(max.id, 'user create');
  await slack.waitForCall('views.open');
  narrate(slack, slack.calls.slice(mark), max.name);
  const viewId = [...slack.views.keys()].at(-1) ?? '';
  const suggested = await driver.suggest(max.id, viewId, 'Roles', 'sc');
  print(`── ${max.name} types "sc" in Roles; the list offers: ${suggested.options.join(', ')}`);
  print(`── ${max.name} fills in the dialog for Nia and presses Request`);
  mark = slack.calls.length;
  await driver.submitView(max.id, viewId, {
    'User ID': 'nia',
    Email: nia.email,
    'Phone number': '+14155550123',
    Roles: ['scanner', 'viewer'],
    Reason: 'Joins the 3D scanning team on Monday',
  });
  await slack.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === slack.dmChannelOf(max.id),
  );
  showApprovalsChannel(slack);
  narrate(slack, slack.calls.slice(mark), max.name);

  const [card] = slack.messages(APPROVALS);
  const at = { channel: APPROVALS, ts: card?.ts ?? '' };
  for (const clicker of [pat, max]) {
    print(`── ${clicker.name} clicks Approve`);
    mark = slack.calls.length;
    const since = mark;
    await driver.clickButton(clicker.id, at, 'Approve');
    await slack.waitForCall('response_url', (call) => slack.calls.indexOf(call) >= since);
    narrate(slack, slack.calls.slice(mark), clicker.name);
  }

  print(`── ${ada.name} clicks Approve`);
  mark = slack.calls.length;
  await driver.clickButton(ada.id, at, 'Approve');
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      call.args.channel === slack.dmChannelOf(max.id) &&
      String(call.args.text).includes('was created'),
  );
  showApprovalsChannel(slack);
  narrate(slack, slack.calls.slice(mark), ada.name);

  const { clients, userPoolId, tables } = app.backend;
  const user = await clients.cognito.send(
    new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'nia' }),
  );
  const attribute = (name: string) =>
    user.UserAttributes?.find((entry) => entry.Name === name)?.Value;
  const rows = await clients.documents.send(
    new QueryCommand({
      TableName: tables.userRoles,
      KeyConditionExpression: 'userId = :user',
      ExpressionAttributeValues: { ':user': 'nia' },
    }),
  );
  print(
    '── What VAMS now holds',
    `  Cognito user nia: ${user.UserStatus}, email ${attribute('email')} (verified: ${attribute('email_verified')}), phone ${attribute('phone_number')} (verified: ${attribute('phone_number_verified')})`,
    ...(rows.Items ?? []).map((row) => `  user-roles row: ${JSON.stringify(row)}`),
    '',
  );
}

async function openDialog(
  driver: SlackDriver,
  slack: SlackStandIn,
  who: { id: string; name: string },
  text: string,
): Promise<string> {
  print(`── ${who.name} types /vams ${text}`);
  const mark = slack.calls.length;
  await driver.command(who.id, text);
  await slack.waitForCall('views.open', (call) => slack.calls.indexOf(call) >= mark);
  narrate(slack, slack.calls.slice(mark), who.name);
  return [...slack.views.keys()].at(-1) ?? '';
}

/** The card a submission posted, once its requester has been told it is waiting. */
async function filedCard(
  slack: SlackStandIn,
  before: number,
  requester: { id: string },
): Promise<{ ts: string; id: string }> {
  const since = (call: RecordedCall) => slack.calls.indexOf(call) >= before;
  const posted = await slack.waitForCall(
    'chat.postMessage',
    (call) => since(call) && call.args.channel === APPROVALS && !call.args.thread_ts,
  );
  const id = /request (R[0-9A-Z]+) /.exec(String(posted.args.text))?.[1] ?? '';
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      since(call) &&
      call.args.channel === slack.dmChannelOf(requester.id) &&
      String(call.args.text).includes(`*${id}* for`),
  );
  const ts =
    slack.messages(APPROVALS).find((message) => message.text === posted.args.text)?.ts ?? '';
  return { ts, id };
}

/** An approval, then everything people see until the requester hears the outcome. */
async function approveAndShow(
  driver: SlackDriver,
  slack: SlackStandIn,
  who: { id: string; name: string },
  card: { ts: string; id: string },
  requester: { id: string },
): Promise<void> {
  print(`── ${who.name} clicks Approve`);
  const mark = slack.calls.length;
  await driver.clickButton(who.id, { channel: APPROVALS, ts: card.ts }, 'Approve');
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      slack.calls.indexOf(call) >= mark &&
      call.args.channel === slack.dmChannelOf(requester.id) &&
      String(call.args.text).includes(`*${card.id}*:`),
  );
  showApprovalsChannel(slack, card.ts);
  narrate(slack, slack.calls.slice(mark), who.name);
}

async function lifecycleTour(
  app: RunningApp,
  driver: SlackDriver,
  slack: SlackStandIn,
): Promise<void> {
  print('━━ 3. A password reset and an offboarding', '');
  let viewId = await openDialog(driver, slack, pat, `user reset-password ${pat.email}`);
  print(`── ${pat.name} gives a reason and presses Request`);
  let mark = slack.calls.length;
  await driver.submitView(pat.id, viewId, { Reason: 'Locked out after a phone change' });
  const resetCard = await filedCard(slack, mark, pat);
  showApprovalsChannel(slack, resetCard.ts);
  narrate(slack, slack.calls.slice(mark), pat.name);
  await approveAndShow(driver, slack, ada, resetCard, pat);

  print(`── ${ada.name} types /vams user list`);
  mark = slack.calls.length;
  const listed = await driver.command(ada.id, 'user list');
  await slack.waitForCall('response_url', (call) => call.args.url === listed.responseUrl);
  narrate(slack, slack.calls.slice(mark), ada.name);

  viewId = await openDialog(driver, slack, ada, 'user offboard nia');
  print(`── ${ada.name} chooses "Delete", gives a reason and presses Request`);
  mark = slack.calls.length;
  await driver.submitView(ada.id, viewId, {
    Action: 'Delete the Cognito user',
    Reason: 'Contract ended',
  });
  const offboardCard = await filedCard(slack, mark, ada);
  showApprovalsChannel(slack, offboardCard.ts);
  narrate(slack, slack.calls.slice(mark), ada.name);
  print(`── ${max.name} clicks Approve`);
  mark = slack.calls.length;
  await driver.clickButton(max.id, { channel: APPROVALS, ts: offboardCard.ts }, 'Approve');
  await slack.waitForCall('response_url', (call) => slack.calls.indexOf(call) >= mark);
  narrate(slack, slack.calls.slice(mark), max.name);
  await approveAndShow(driver, slack, bea, offboardCard, ada);

  const { clients, tables } = app.backend;
  const rows = await clients.documents.send(
    new QueryCommand({
      TableName: tables.userRoles,
      KeyConditionExpression: 'userId = :user',
      ExpressionAttributeValues: { ':user': 'nia' },
    }),
  );
  const gone = await clients.cognito
    .send(new AdminGetUserCommand({ UserPoolId: app.backend.userPoolId, Username: 'nia' }))
    .then(
      () => false,
      () => true,
    );
  print(
    '── What VAMS now holds',
    `  user-roles rows of nia: ${rows.Items?.length ?? 0}; Cognito user nia deleted: ${gone}`,
    '',
  );
}

async function keyTour(app: RunningApp, driver: SlackDriver, slack: SlackStandIn): Promise<void> {
  print("━━ 4. An API key of one's own", '');
  const viewId = await openDialog(driver, slack, pat, 'key request');
  print(
    `── ${pat.name} names the key, keeps the default expiry, gives a reason and presses Request`,
  );
  let mark = slack.calls.length;
  await driver.submitView(pat.id, viewId, {
    Name: 'pat-photogrammetry-uploads',
    Description: 'Uploads from the capture rig',
    Reason: 'Automating nightly uploads',
  });
  const card = await filedCard(slack, mark, pat);
  showApprovalsChannel(slack, card.ts);
  narrate(slack, slack.calls.slice(mark), pat.name);
  mark = slack.calls.length;
  await approveAndShow(driver, slack, ada, card, pat);
  const value = slack.calls
    .slice(mark)
    .map((call) => JSON.stringify(call.args).match(new RegExp(KEY_VALUE))?.[0])
    .find((found) => found !== undefined);
  if (!value) throw new Error('the key did not arrive by DM');
  const verdict = await vamsAuthorizes(
    app.backend.clients.documents,
    app.backend.tables,
    `Bearer ${value}`,
  );
  print(
    "── VAMS's own API-key check, run on the delivered value against the same table",
    `  Authorization: Bearer vams_•••• → ${verdict.allowed ? `allowed, as ${verdict.userId}` : `denied (${verdict.reason})`}`,
    '',
  );
  print(`── ${pat.name} types /vams key list`);
  mark = slack.calls.length;
  const listed = await driver.command(pat.id, 'key list');
  await slack.waitForCall('response_url', (call) => call.args.url === listed.responseUrl);
  narrate(slack, slack.calls.slice(mark), pat.name);
  const apiKeyId = /id `([0-9a-f-]{36})`/.exec(
    JSON.stringify(slack.calls.at(-1)?.args ?? {}).replace(/\\n/g, '\n'),
  )?.[1];
  if (!apiKeyId) throw new Error('the key list shows no key id');
  // Only narrowing a key is immediate: an earlier expiry needs no approval.
  const updateId = await openDialog(driver, slack, pat, `key update ${apiKeyId}`);
  await slack.waitForCall('views.update', (call) => call.args.view_id === updateId);
  boxed(`${pat.name} sees the form:`, renderModal(slack.views.get(updateId)?.view, nameOf));
  const soon = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  print(`── ${pat.name} moves the expiry to ${soon}, says why and presses Update`);
  const updated = await driver.submitView(pat.id, updateId, {
    Expires: soon,
    Reason: 'The rig is replaced next week',
  });
  boxed(
    `${pat.name} sees the dialog become:`,
    renderModal((updated.ack as { view?: unknown } | null)?.view, nameOf),
  );
  const after = await vamsAuthorizes(
    app.backend.clients.documents,
    app.backend.tables,
    `Bearer ${value}`,
    new Date(Date.now() + 10 * 86_400_000),
  );
  print(
    "── VAMS's own check, as it would run ten days from now",
    `  Authorization: Bearer vams_•••• → ${after.allowed ? 'allowed' : `denied (${after.reason})`}`,
    '',
  );
}

async function privilegeTour(driver: SlackDriver, slack: SlackStandIn, port: number) {
  print('━━ 5. No approval gives more than its approvers hold', '');
  const viewId = await openDialog(driver, slack, pat, 'user create');
  print(`── ${pat.name} asks for a new admin account with their own email, and presses Request`);
  let mark = slack.calls.length;
  await driver.submitView(pat.id, viewId, {
    'User ID': 'pat-admin',
    Email: pat.email,
    Roles: ['admin'],
    Reason: 'Need admin for a migration',
  });
  const card = await filedCard(slack, mark, pat);
  showApprovalsChannel(slack, card.ts);
  print(`── ${max.name} clicks Approve`);
  mark = slack.calls.length;
  await driver.clickButton(max.id, { channel: APPROVALS, ts: card.ts }, 'Approve');
  await slack.waitForCall('response_url', (call) => slack.calls.indexOf(call) >= mark);
  narrate(slack, slack.calls.slice(mark), max.name);

  print('── Someone on the network sends an unsigned GET /slack/events, then GET /healthz');
  const base = `http://127.0.0.1:${port}`;
  const probe = await fetch(`${base}${EVENTS_PATH}`);
  const health = await fetch(`${base}/healthz`);
  print(`  GET ${EVENTS_PATH} → ${probe.status}; GET /healthz → ${health.status}`, '');
}

async function roleRows(app: RunningApp, userId: string): Promise<string[]> {
  const rows = await app.backend.clients.documents.send(
    new QueryCommand({
      TableName: app.backend.tables.userRoles,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': userId },
    }),
  );
  return (rows.Items ?? []).map((row) => `  user-roles row: ${JSON.stringify(row)}`);
}

async function grantTour(app: RunningApp, driver: SlackDriver, slack: SlackStandIn) {
  print('━━ 6. A role for an hour, asked for oneself, then given back', '');
  const viewId = await openDialog(driver, slack, pat, 'role request');
  print(`── ${pat.name} picks "scanner" for "1 hour", gives a reason and presses Request`);
  let mark = slack.calls.length;
  await driver.submitView(pat.id, viewId, {
    Roles: ['scanner'],
    Duration: '1 hour',
    Reason: 'Covering the capture rig this afternoon',
  });
  const card = await filedCard(slack, mark, pat);
  showApprovalsChannel(slack, card.ts);
  await approveAndShow(driver, slack, bea, card, pat);
  print('── What VAMS now holds for pat', ...(await roleRows(app, pat.email)), '');
  print(`── ${pat.name} types /vams role list ${pat.email}`);
  mark = slack.calls.length;
  const listed = await driver.command(pat.id, `role list ${pat.email}`);
  await slack.waitForCall('response_url', (call) => call.args.url === listed.responseUrl);
  narrate(slack, slack.calls.slice(mark), pat.name);
  print(`── ${pat.name} is done early and types /vams role release scanner`);
  mark = slack.calls.length;
  const released = await driver.command(pat.id, 'role release scanner');
  await slack.waitForCall('response_url', (call) => call.args.url === released.responseUrl);
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      slack.calls.indexOf(call) >= mark &&
      call.args.thread_ts === card.ts &&
      String(call.args.text).includes('given back early'),
  );
  narrate(slack, slack.calls.slice(mark), pat.name);
  print('── What VAMS now holds for pat', ...(await roleRows(app, pat.email)), '');
}

async function breakglassTour(app: RunningApp, driver: SlackDriver, slack: SlackStandIn) {
  print('━━ 9. Break glass: a role at once in an emergency, reviewed afterwards', '');
  const viewId = await openDialog(driver, slack, max, 'breakglass scanner');
  print(`── ${max.name} picks "1 hour", says what is broken and presses Break glass`);
  let mark = slack.calls.length;
  await driver.submitView(max.id, viewId, {
    Duration: '1 hour',
    Reason: 'The capture rig upload is stuck and the scanner team is out',
  });
  const posted = await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      slack.calls.indexOf(call) >= mark && call.args.channel === APPROVALS && !call.args.thread_ts,
  );
  const id = /request (R[0-9A-Z]+) /.exec(String(posted.args.text))?.[1] ?? '';
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      slack.calls.indexOf(call) >= mark &&
      call.args.channel === slack.dmChannelOf(max.id) &&
      String(call.args.text).includes(`*${id}*:`),
  );
  // The card is drawn again as the grant runs: found by its request id.
  const ts = slack
    .messages(APPROVALS)
    .find((message) => !message.threadTs && message.text?.includes(`request ${id} `))?.ts;
  const card = { channel: APPROVALS, ts: ts ?? '' };
  showApprovalsChannel(slack, card.ts);
  narrate(slack, slack.calls.slice(mark), max.name);
  print(
    '── What VAMS now holds for max, with no approval',
    ...(await roleRows(app, max.email)),
    '',
  );
  print(`── ${max.name} clicks Reviewed on their own break-glass`);
  mark = slack.calls.length;
  const own = await driver.clickButton(max.id, card, 'Reviewed');
  await slack.waitForCall('response_url', (call) => call.args.url === own.responseUrl);
  narrate(slack, slack.calls.slice(mark), max.name);
  print(`── ${bea.name} reads the reason and clicks Revoke now`);
  mark = slack.calls.length;
  const revoked = await driver.clickButton(bea.id, card, 'Revoke now');
  await slack.waitForCall('response_url', (call) => call.args.url === revoked.responseUrl);
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      slack.calls.indexOf(call) >= mark &&
      call.args.thread_ts === card.ts &&
      String(call.args.text).includes('revoked on review'),
  );
  narrate(slack, slack.calls.slice(mark), bea.name);
  showApprovalsChannel(slack, card.ts);
  print('── What VAMS now holds for max', ...(await roleRows(app, max.email)), '');
}

async function linkTour(app: RunningApp, driver: SlackDriver, slack: SlackStandIn) {
  print('━━ 7. A contractor whose Slack email VAMS does not know, linked by an admin', '');
  const { clients, tables } = app.backend;
  await seedUserRole(clients.documents, tables.userRoles, 'lou-ext', 'viewer');
  const whoami = async () => {
    print(`── ${lou.name} types /vams whoami`);
    const result = await driver.command(lou.id, 'whoami');
    const reply = await slack.waitForCall(
      'response_url',
      (call) => call.args.url === result.responseUrl,
    );
    boxed(`${lou.name} sees (only them):`, renderMessage(reply.args, nameOf));
  };
  await whoami();
  const viewId = await openDialog(driver, slack, ada, `link <@${lou.id}|lou> lou-ext`);
  print(`── ${ada.name} gives a reason and presses Request`);
  const mark = slack.calls.length;
  await driver.submitView(ada.id, viewId, { Reason: 'Lou works for us as lou-ext this quarter' });
  const card = await filedCard(slack, mark, ada);
  showApprovalsChannel(slack, card.ts);
  await approveAndShow(driver, slack, bea, card, ada);
  await whoami();
}

// The bot's clock runs this far ahead of the real one: a minute passes without waiting for it.
let ahead = 0;

function showHome(slack: SlackStandIn, who: { id: string; name: string }): void {
  boxed(`${who.name}'s Home tab:`, renderMessage(slack.homeOf(who.id) ?? {}, nameOf));
}

async function openHome(
  driver: SlackDriver,
  slack: SlackStandIn,
  who: { id: string; name: string },
) {
  print(`── ${who.name} opens the bot's Home tab`);
  const before = slack.homeViews.get(who.id)?.length ?? 0;
  await driver.openHome(who.id);
  await slack.waitForCall(
    'views.publish',
    (call) => call.args.user_id === who.id && (slack.homeViews.get(who.id)?.length ?? 0) > before,
  );
  showHome(slack, who);
}

async function nudgeAndHomeTour(driver: SlackDriver, slack: SlackStandIn) {
  print('━━ 8. Nobody decides for a minute: the approvers are reminded; then the App Home', '');
  const viewId = await openDialog(driver, slack, pat, 'role request');
  print(`── ${pat.name} asks for "scanner" for "1 hour" again`);
  let mark = slack.calls.length;
  await driver.submitView(pat.id, viewId, {
    Roles: ['scanner'],
    Duration: '1 hour',
    Reason: 'Second capture session tomorrow morning',
  });
  const card = await filedCard(slack, mark, pat);
  showApprovalsChannel(slack, card.ts);
  print('── A minute passes (REMIND_AFTER_MINUTES=1 in this demo) and nobody has decided');
  mark = slack.calls.length;
  ahead = 61_000;
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      slack.calls.indexOf(call) >= mark &&
      call.args.thread_ts === card.ts &&
      String(call.args.text).includes(':alarm_clock:'),
  );
  narrate(slack, slack.calls.slice(mark), 'the bot');
  await openHome(driver, slack, bea);
  print(`── ${bea.name} clicks Approve on her Home tab`);
  mark = slack.calls.length;
  await driver.clickButton(bea.id, { home: bea.id, block: `home-decide:${card.id}` }, 'Approve');
  await slack.waitForCall(
    'chat.postMessage',
    (call) =>
      slack.calls.indexOf(call) >= mark &&
      call.args.channel === slack.dmChannelOf(pat.id) &&
      String(call.args.text).includes(`*${card.id}*:`),
  );
  await slack.waitForCall(
    'views.publish',
    (call) => slack.calls.indexOf(call) >= mark && call.args.user_id === bea.id,
  );
  showHome(slack, bea);
  await openHome(driver, slack, pat);
}

/** Every password and key the bot DM'd: none may appear in a log line or any other Slack call. */
function checkNoSecretLeaked(slack: SlackStandIn, logLines: string[]): number {
  const isDm = (call: RecordedCall) =>
    call.method === 'chat.postMessage' &&
    people.some((person) => slack.dmChannelOf(person.id) === call.args.channel);
  const secretPatterns = [/temporary password is `([^`]+)`/g, new RegExp(`(${KEY_VALUE})`, 'g')];
  const found = slack.calls
    .filter(isDm)
    .flatMap((call) =>
      secretPatterns.flatMap((pattern) =>
        [...JSON.stringify(call.args).matchAll(pattern)].map((match) => match[1] ?? ''),
      ),
    )
    .filter((secret) => secret.length > 0);
  const secrets = [...new Set(found)];
  const elsewhere = slack.calls.filter(
    (call) => !isDm(call) && secrets.some((secret) => JSON.stringify(call.args).includes(secret)),
  );
  const logged = logLines.filter((line) => secrets.some((secret) => line.includes(secret)));
  if (secrets.length === 0 || elsewhere.length > 0 || logged.length > 0) {
    throw new Error(
      `secrets check: ${secrets.length} DM'd, ${elsewhere.length} other Slack calls and ${logged.length} log lines carry one`,
    );
  }
  return secrets.length;
}

async function main(): Promise<void> {
  const logLines: string[] = [];
  const slack = await SlackStandIn.start({ teamId: 'T0DEMO' });
  const signingSecret = randomBytes(16).toString('hex');
  const loaded = loadConfig({
    BACKEND: 'local',
    LOCAL_ADMIN_EMAIL: ada.email,
    MANAGER_ROLES: 'manager',
    TEMP_PASSWORD_DELIVERY: 'slack-dm',
    SLACK_BOT_TOKEN: 'xoxb-local-standin',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    APPROVAL_CHANNEL_ID: APPROVALS,
    PORT: '0',
    LOG_LEVEL: 'info',
    REMIND_AFTER_MINUTES: '1',
    APPROVER_MENTION: 'S0APPROVERS',
    BREAKGLASS_ALLOWED: 'manager',
    BREAKGLASS_ROLES: 'scanner',
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  print(
    'vams-chatops demo: the real bot on the embedded backend (DynamoDB Local + moto),',
    'talking to a simulated Slack workspace. Passwords and API keys are masked in this transcript.',
    '',
  );
  const logger = createLogger('info', { write: (line: string) => logLines.push(line) });
  const app = await startApp(loaded.config, logger, {
    clock: () => new Date(Date.now() + ahead),
    sweepMs: 500,
  });
  try {
    await seedWorkspace(app, slack);
    const driver = new SlackDriver({
      eventsUrl: `http://127.0.0.1:${app.port}${EVENTS_PATH}`,
      signingSecret,
      slack,
    });
    await identityTour(driver, slack);
    await onboardingTour(app, driver, slack);
    await lifecycleTour(app, driver, slack);
    await keyTour(app, driver, slack);
    await privilegeTour(driver, slack, app.port);
    await grantTour(app, driver, slack);
    await linkTour(app, driver, slack);
    await nudgeAndHomeTour(driver, slack);
    await breakglassTour(app, driver, slack);
    const audit = logLines.filter((line) => line.includes('[AUTHCHANGES]')).length;
    const secrets = checkNoSecretLeaked(slack, logLines);
    print(
      `Done. The bot logged ${audit} VAMS-style [AUTHCHANGES] lines; none of the ${secrets} passwords and keys it DM'd reached a log or another Slack call.`,
    );
  } catch (error) {
    process.stderr.write(`${logLines.join('')}\n`);
    throw error;
  } finally {
    await app.stop();
    await slack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
