import { randomUUID } from 'node:crypto';
import {
  AdminGetUserCommand,
  type AdminGetUserCommandOutput,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessRequest } from '../../src/domain/request';
import { RequestStore } from '../../src/stores/request.store';
import { USER_CREATE_IDS } from '../../src/views/user-create.view';
import { eventually } from './eventually';
import type { EphemeralSource, FieldValue, InteractionResult } from './slack-driver';
import type { RecordedCall, SlackStandIn, StoredMessage } from './slack-standin';
import { APPROVAL_CHANNEL, type TestBot } from './test-bot';
import type { TestDeployment } from './vams-deployment';

// People and requests as the onboarding tests see them: through Slack, the bot table, the
// user pool and VAMS's user-roles table, never through the bot's internals.

export interface Onboardee {
  userId: string;
  email?: string;
  phone?: string;
  roles?: string[];
  reason?: string;
}

export interface FiledRequest {
  id: string;
  userId: string;
  card: { channel: string; ts: string };
}

export function requestStore(bot: TestBot): RequestStore {
  return new RequestStore(bot.deployment.clients.documents, bot.deployment.tables.bot);
}

export async function storedRequest(bot: TestBot, id: string): Promise<AccessRequest> {
  const request = await requestStore(bot).get(id);
  if (!request) throw new Error(`request ${id} is not in the bot table`);
  return request;
}

/** `/vams user create`, then the modal Slack showed the person. */
export async function openOnboardingModal(bot: TestBot, slackUserId: string): Promise<string> {
  const before = new Set(bot.slack.views.keys());
  const command = await bot.driver.command(slackUserId, 'user create');
  if (command.status !== 200) throw new Error(`/vams user create answered ${command.status}`);
  return eventually(() => {
    const opened = [...bot.slack.views.entries()].find(
      ([viewId, stored]) =>
        !before.has(viewId) &&
        stored.userId === slackUserId &&
        stored.view.callback_id === USER_CREATE_IDS.callbackId,
    );
    if (!opened) throw new Error(`no onboarding modal was opened for ${slackUserId}`);
    return opened[0];
  });
}

export function onboardingFields(who: Onboardee): Record<string, FieldValue> {
  return {
    'User ID': who.userId,
    Email: who.email ?? `${who.userId.replace(/[^\w.+-]/g, '-')}@example.com`,
    'Phone number': who.phone ?? null,
    Roles: who.roles ?? ['viewer'],
    Reason: who.reason ?? `Onboarding ${who.userId}`,
  };
}

export function cardFor(slack: SlackStandIn, userId: string): StoredMessage | undefined {
  return slack
    .messages(APPROVAL_CHANNEL)
    .find(
      (message) => message.threadTs === undefined && message.text?.includes(` for ${userId} by `),
    );
}

/** `/vams <text>` that opens a dialog: the dialog's view id once Slack shows it. */
export async function openedDialog(
  bot: TestBot,
  slackUserId: string,
  text: string,
): Promise<string> {
  const before = new Set(bot.slack.views.keys());
  const command = await bot.driver.command(slackUserId, text);
  if (command.ack !== null) {
    throw new Error(
      `/vams ${text} answered instead of opening a dialog: ${JSON.stringify(command.ack)}`,
    );
  }
  return eventually(() => {
    const opened = [...bot.slack.views.keys()].find((viewId) => !before.has(viewId));
    if (!opened) throw new Error(`no dialog opened for /vams ${text}`);
    return opened;
  });
}

/**
 * `/vams <text>`, the dialog filled with `fields` and submitted, then the request it filed, once
 * its card is posted and its place stored (clicks are refused before that).
 */
export async function fileThroughDialog(
  bot: TestBot,
  requester: string,
  text: string,
  fields: Record<string, FieldValue>,
  timeoutMs = 5_000,
): Promise<FiledRequest> {
  const known = new Set((await bot.app.workflow.open()).map((request) => request.id));
  const viewId = await openedDialog(bot, requester, text);
  // Some dialogs open as "Loading…" and become the form once what they show is read.
  await eventually(() => {
    if (!bot.slack.views.get(viewId)?.view.submit) throw new Error(`/vams ${text}: no form yet`);
  });
  const submitted = await bot.driver.submitView(requester, viewId, fields);
  if (submitted.status !== 200 || submitted.ack !== null) {
    throw new Error(
      `the dialog of /vams ${text} was not accepted: ${JSON.stringify(submitted.ack)}`,
    );
  }
  return eventually(async () => {
    const request = (await bot.app.workflow.open()).find(
      (candidate) => !known.has(candidate.id) && candidate.requester.slackUserId === requester,
    );
    if (!request?.card) throw new Error(`no request with a stored card for /vams ${text} yet`);
    return { id: request.id, userId: request.subject, card: request.card };
  }, timeoutMs);
}

/** Files an onboarding request through the modal and waits until its card is posted and stored. */
export async function fileOnboarding(
  bot: TestBot,
  requester: string,
  who: Onboardee,
): Promise<FiledRequest> {
  const viewId = await openOnboardingModal(bot, requester);
  const submitted = await bot.driver.submitView(requester, viewId, onboardingFields(who));
  if (submitted.status !== 200 || submitted.ack !== null) {
    throw new Error(`the onboarding modal was not accepted: ${JSON.stringify(submitted.ack)}`);
  }
  const card = await eventually(() => {
    const found = cardFor(bot.slack, who.userId);
    if (!found) throw new Error(`no request card for ${who.userId} in the approvals channel`);
    return found;
  });
  const id = /request (R[0-9A-Z]+) /.exec(card.text ?? '')?.[1];
  if (!id) throw new Error(`the card names no request id: ${card.text}`);
  // Clicks are refused until the card's place is stored; people take longer than that to click.
  await eventually(async () => {
    if (!(await storedRequest(bot, id)).card) throw new Error(`${id} has no card stored yet`);
  });
  await submittedDm(bot, requester, id);
  return { id, userId: who.userId, card: { channel: APPROVAL_CHANNEL, ts: card.ts } };
}

/** The requester's "waiting for approval" DM: the last thing the bot does when a request is filed. */
export function submittedDm(bot: TestBot, requester: string, id: string): Promise<RecordedCall> {
  const channel = bot.slack.dmChannelOf(requester);
  return bot.slack.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === channel && String(call.args.text).includes(`*${id}* for `),
  );
}

export function clickCard(
  bot: TestBot,
  slackUserId: string,
  filed: FiledRequest,
  label: string,
): Promise<InteractionResult> {
  return bot.driver.clickButton(slackUserId, filed.card, label);
}

/** What the app answered to one click, through the click's response_url. */
export async function answerTo(
  slack: SlackStandIn,
  click: InteractionResult,
): Promise<RecordedCall> {
  const { responseUrl } = click;
  if (!responseUrl) throw new Error('the click carried no response_url');
  return slack.waitForCall('response_url', (call) => call.args.url === responseUrl);
}

export function cardMessage(slack: SlackStandIn, filed: FiledRequest): StoredMessage {
  const message = slack.messages(filed.card.channel).find((stored) => stored.ts === filed.card.ts);
  if (!message) throw new Error(`card ${filed.card.ts} is gone`);
  return message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every piece of text in some blocks, in order, one per line. */
export function textIn(value: unknown): string {
  if (Array.isArray(value)) return value.map(textIn).filter(Boolean).join('\n');
  if (!isRecord(value)) return '';
  const own = typeof value.text === 'string' ? value.text : '';
  const nested = Object.entries(value)
    .filter(([key]) => key !== 'text' || typeof value.text !== 'string')
    .map(([, child]) => textIn(child))
    .filter(Boolean);
  return [own, ...nested].filter(Boolean).join('\n');
}

export function buttonLabels(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.flatMap((block) =>
    isRecord(block) && block.type === 'actions' && Array.isArray(block.elements)
      ? block.elements.flatMap((element) =>
          isRecord(element) && element.type === 'button' ? [textIn(element.text)] : [],
        )
      : [],
  );
}

export function threadReplies(slack: SlackStandIn, filed: FiledRequest): StoredMessage[] {
  return slack.messages(filed.card.channel).filter((message) => message.threadTs === filed.card.ts);
}

/** The texts of the DMs the bot sent one person. */
export function dmsTo(slack: SlackStandIn, slackUserId: string): string[] {
  const channel = slack.dmChannelOf(slackUserId);
  return slack
    .callsTo('chat.postMessage')
    .filter((call) => call.ok && call.args.channel === channel)
    .map((call) => `${String(call.args.text ?? '')}\n${textIn(call.args.blocks)}`);
}

export async function roleRows(
  deployment: TestDeployment,
  userId: string,
): Promise<Record<string, unknown>[]> {
  const page = await deployment.clients.documents.send(
    new QueryCommand({
      TableName: deployment.tables.userRoles,
      KeyConditionExpression: 'userId = :user',
      ExpressionAttributeValues: { ':user': userId },
      ConsistentRead: true,
    }),
  );
  return page.Items ?? [];
}

/**
 * VAMS users who are also Slack members: a Cognito user and role rows under the VAMS user ID
 * (the email unless given), and a Slack account `slackUserId` with that email, confirmed.
 */
export async function addPeople(
  bot: TestBot,
  people: readonly (readonly [
    slackUserId: string,
    email: string,
    roles: readonly string[],
    vamsUserId?: string,
  ])[],
): Promise<void> {
  for (const [slackUserId, email, roles, vamsUserId] of people) {
    await bot.deployment.addVamsUser(vamsUserId ?? email, [...roles], email);
    bot.slack.addUser({ id: slackUserId, email, emailConfirmed: true });
  }
}

/** An active API key written straight into VAMS's table, every attribute a string as VAMS has it. */
export async function seedApiKey(
  deployment: TestDeployment,
  userId: string,
  apiKeyName?: string,
): Promise<string> {
  const apiKeyId = randomUUID();
  await deployment.clients.documents.send(
    new PutCommand({
      TableName: deployment.tables.apiKeys,
      Item: {
        apiKeyId,
        apiKeyName: apiKeyName ?? `key-${apiKeyId.slice(0, 8)}`,
        apiKeyHash: randomUUID().replace(/-/g, ''),
        description: 'CI',
        userId,
        createdBy: userId,
        createdAt: '2026-01-01T00:00:00.000000+00:00',
        updatedAt: '2026-01-01T00:00:00.000000+00:00',
        expiresAt: '',
        isActive: 'true',
      },
    }),
  );
  return apiKeyId;
}

/** An API key item as it is in VAMS's table, read directly. */
export async function apiKeyItem(
  deployment: TestDeployment,
  apiKeyId: string,
): Promise<Record<string, unknown> | undefined> {
  const found = await deployment.clients.documents.send(
    new GetCommand({
      TableName: deployment.tables.apiKeys,
      Key: { apiKeyId },
      ConsistentRead: true,
    }),
  );
  return found.Item;
}

export async function cognitoUser(
  deployment: TestDeployment,
  userId: string,
): Promise<AdminGetUserCommandOutput | undefined> {
  try {
    return await deployment.clients.cognito.send(
      new AdminGetUserCommand({ UserPoolId: deployment.userPoolId, Username: userId }),
    );
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}

export function attributesOf(user: AdminGetUserCommandOutput | undefined): Record<string, string> {
  return Object.fromEntries(
    (user?.UserAttributes ?? []).map((attribute) => [attribute.Name ?? '', attribute.Value ?? '']),
  );
}

export interface SentCognitoCommand {
  command: string;
  input: Record<string, unknown>;
}

/**
 * What the bot sends to Cognito, as it leaves the bot's own SDK client: the emulator cannot say
 * whether an invitation was suppressed or which password was set. Pass `sent` to gather the
 * commands of several instances in one list.
 */
export function recordCognitoCommands(
  bot: TestBot,
  sent: SentCognitoCommand[] = [],
): SentCognitoCommand[] {
  bot.app.backend.clients.cognito.middlewareStack.add(
    (next, context) => async (args) => {
      const input = isRecord(args.input) ? structuredClone(args.input) : {};
      sent.push({ command: context.commandName ?? '', input });
      return next(args);
    },
    { step: 'initialize', name: 'recordSentCommands' },
  );
  return sent;
}

/** Waits until the request reaches one of `statuses` (the bot works after it acks). */
export function settled(
  bot: TestBot,
  id: string,
  statuses: readonly AccessRequest['status'][] = ['succeeded', 'failed'],
  timeoutMs = 10_000,
): Promise<AccessRequest> {
  return eventually(async () => {
    const request = await storedRequest(bot, id);
    if (!statuses.includes(request.status)) {
      throw new Error(`${id} is ${request.status}, waiting for ${statuses.join(' or ')}`);
    }
    return request;
  }, timeoutMs);
}

/**
 * Waits until the request has ended and its requester has been told (the last thing the bot does
 * for a request), so no work is still under way when a test moves on or the bot stops.
 */
export async function finished(
  bot: TestBot,
  filed: FiledRequest,
  timeoutMs = 10_000,
): Promise<AccessRequest> {
  const requestEnded = await settled(bot, filed.id, ['succeeded', 'failed'], timeoutMs);
  const channel = bot.slack.dmChannelOf(requestEnded.requester.slackUserId);
  await bot.slack.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === channel && String(call.args.text).includes(`*${filed.id}*:`),
    timeoutMs,
  );
  return requestEnded;
}

/** The bot's log lines, parsed; `from` skips the lines written before some point. */
export function logEntries(bot: TestBot, from = 0): Record<string, unknown>[] {
  return bot.logs.slice(from).flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return isRecord(parsed) ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

/** A clicker's view of `/vams requests`: the ephemeral reply's blocks. */
export async function requestsList(bot: TestBot, slackUserId: string): Promise<unknown[]> {
  const command = await bot.driver.command(slackUserId, 'requests');
  const reply = await bot.slack.waitForCall(
    'response_url',
    (call) => call.args.url === command.responseUrl,
  );
  return Array.isArray(reply.args.blocks) ? reply.args.blocks : [];
}

/** The part of a `/vams requests` reply about one request, as the person sees it there. */
export function listEntry(blocks: unknown[], requestId: string): EphemeralSource {
  const entry = blocks.filter(
    (block) =>
      isRecord(block) &&
      (String(block.block_id ?? '').endsWith(`:${requestId}`) ||
        textIn(block).startsWith(`*${requestId}*`)),
  );
  return { ephemeral: { channel: 'C0GENERAL', blocks: entry } };
}

/** Request ids under each heading of a `/vams requests` reply. */
export function listedIds(blocks: unknown[]): { decide: string[]; own: string[] } {
  const listed = { decide: [] as string[], own: [] as string[] };
  let section: 'decide' | 'own' = 'decide';
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    const text = textIn(block);
    if (block.type === 'header') section = text.startsWith('Your open') ? 'own' : 'decide';
    const id = block.type === 'section' ? /^\*(R[0-9A-Z]+)\*/.exec(text)?.[1] : undefined;
    if (id) listed[section].push(id);
  }
  return listed;
}

/** `/vams help` as this person sees it: an empty ack, then the commands they may use. */
export async function helpShown(
  bot: TestBot,
  slackUserId: string,
  options: { command?: string } = {},
): Promise<string> {
  const result = await bot.driver.command(slackUserId, 'help', options);
  if (result.status !== 200 || result.ack !== null) {
    throw new Error(`help answered ${result.status}: ${JSON.stringify(result.ack)}`);
  }
  const reply = await bot.slack.waitForCall(
    'response_url',
    (call) => call.args.url === result.responseUrl,
  );
  return textIn(reply.args);
}

/** A date `daysFromNow` ahead, as the Expires field takes it. */
export function isoDay(daysFromNow: number): string {
  return new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);
}

/** The fields of a `/vams key request` dialog for a key called `name`. */
export function keyFields(
  name: string,
  overrides: Record<string, FieldValue> = {},
): Record<string, FieldValue> {
  return {
    Name: name,
    Description: `CI pipeline ${name}`,
    Expires: isoDay(30),
    Reason: 'Nightly uploads',
    ...overrides,
  };
}
