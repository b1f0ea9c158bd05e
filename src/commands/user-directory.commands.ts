import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { filingRefusal, mayFile } from '../auth/filing-policy';
import { type RolePolicy, standingOf } from '../auth/roles';
import {
  type CognitoUserDirectory,
  firstUserListCursor,
  isSafePrefix,
  type UserListCursor,
} from '../gateways/cognito-users.gateway';
import type { AppLogger } from '../logging';
import type { ListOwner, ListPageStore } from '../stores/list-pages.store';
import type { VamsApiKeyStore } from '../stores/vams-api-keys.store';
import type { VamsUserRoleStore } from '../stores/vams-user-roles.store';
import { VAMS_USER_ID } from '../vams/vams-format';
import { keyActionButtons, keyState } from '../views/api-key.view';
import type { ButtonSpec } from '../views/buttons';
import { filingRefusalText } from '../views/filing-refusal.view';
import { usageErrorMessage } from '../views/help.view';
import { type MessageBody, sectionMessage } from '../views/message';
import { code } from '../views/mrkdwn';
import { checkedMessage } from '../views/outgoing';
import { userListMessage } from '../views/user-list.view';
import { USER_SHOW_IDS, userShowMessage } from '../views/user-show.view';
import { USER_UPDATE_IDS } from '../views/user-update.view';
import { EXTERNAL_IDP_TEXT, oneUserId } from './dialogs';
import type { Identify } from './identity.commands';
import type { SubCommand } from './sub-command';
import { type AccessKind, openAccessDialog } from './user-access.commands';

/** Slack ids of `/vams user list` and `/vams user show`, for the handlers and tests. */
export const USER_DIRECTORY_IDS = {
  previousPage: 'user-list-previous',
  nextPage: 'user-list-next',
  disable: 'user-show-disable',
  enable: 'user-show-enable',
  signout: 'user-show-signout',
} as const;

export interface UserDirectoryFeature {
  identify: Identify;
  policy: RolePolicy;
  /** Undefined when users live in an external identity provider. */
  directory: CognitoUserDirectory | undefined;
  userRoles: Pick<VamsUserRoleStore, 'rolesOf'>;
  apiKeys: Pick<VamsApiKeyStore, 'keysOf'>;
  listPages: ListPageStore<UserListCursor>;
  views: WebClient;
  logger: AppLogger;
  clock: () => Date;
}

// The filter `email ^= "<prefix>"` must stay within Cognito's 256-character Filter.
const MAX_PREFIX = 200;
const PAGE_VALUE = /^([A-Za-z0-9_-]{1,64}):([1-9]\d{0,6})$/;

const ACCESS_BUTTONS: ReadonlyArray<{ actionId: string; kind: AccessKind }> = [
  { actionId: USER_DIRECTORY_IDS.disable, kind: 'user.disable' },
  { actionId: USER_DIRECTORY_IDS.enable, kind: 'user.enable' },
  { actionId: USER_DIRECTORY_IDS.signout, kind: 'user.signout' },
];

const READ_DIRECTORY = { kind: 'user.directory' } as const;

function pageButtons(listId: string, page: number, hasNext: boolean): ButtonSpec[] {
  const buttons: ButtonSpec[] = [];
  if (page > 1)
    buttons.push({
      text: 'Previous page',
      actionId: USER_DIRECTORY_IDS.previousPage,
      value: `${listId}:${page - 1}`,
    });
  if (hasNext)
    buttons.push({
      text: 'Next page',
      actionId: USER_DIRECTORY_IDS.nextPage,
      value: `${listId}:${page + 1}`,
    });
  return buttons;
}

function accessButtons(userId: string, enabled: boolean): ButtonSpec[] {
  return [
    enabled
      ? { text: 'Disable', actionId: USER_DIRECTORY_IDS.disable, value: userId, style: 'danger' }
      : { text: 'Enable', actionId: USER_DIRECTORY_IDS.enable, value: userId, style: 'primary' },
    { text: 'Sign out', actionId: USER_DIRECTORY_IDS.signout, value: userId },
    // Handled with `/vams user update`, whose form it opens; the next two likewise.
    { text: 'Update', actionId: USER_UPDATE_IDS.showButton, value: userId },
    { text: 'Reset password', actionId: USER_SHOW_IDS.resetPassword, value: userId },
    { text: 'Offboard', actionId: USER_SHOW_IDS.offboard, value: userId, style: 'danger' },
  ];
}

function noSuchUser(userId: string, roles: number, keys: number): MessageBody {
  const leftovers =
    roles + keys > 0
      ? ` VAMS still holds ${roles} role row(s) and ${keys} API key(s) under that ID.`
      : '';
  return sectionMessage(`There is no Cognito user ${code(userId)}.${leftovers}`);
}

function userListCommand(feature: UserDirectoryFeature): SubCommand {
  const usage = '/vams user list [prefix]';
  return {
    name: 'user list',
    audience: 'admins-and-managers',
    usage,
    summary: 'Cognito users, a page at a time; a prefix filters on User ID or email',
    run: async (invocation) => {
      const [prefix, ...extra] = invocation.args;
      if (extra.length > 0) {
        await invocation.ack(usageErrorMessage('Give at most one prefix.', usage));
        return;
      }
      if (prefix !== undefined && !isSafePrefix(prefix)) {
        await invocation.ack(
          sectionMessage(
            'A prefix cannot contain `"` or `\\`: Cognito’s search cannot take them safely.',
          ),
        );
        return;
      }
      if (prefix !== undefined && prefix.length > MAX_PREFIX) {
        await invocation.ack(sectionMessage(`A prefix is at most ${MAX_PREFIX} characters.`));
        return;
      }
      const directory = feature.directory;
      if (!directory) {
        await invocation.ack({ text: EXTERNAL_IDP_TEXT, blocks: [] });
        return;
      }
      await invocation.ack();
      const identity = await feature.identify(invocation.slackUserId, invocation.teamId);
      const refusal = filingRefusal(identity, feature.policy, READ_DIRECTORY);
      if (refusal) {
        await invocation.reply(sectionMessage(filingRefusalText(refusal)));
        return;
      }
      const start = firstUserListCursor(prefix);
      const { users, next } = await directory.listPage(prefix, start);
      let buttons: ButtonSpec[] = [];
      // A single page needs no paging state and no buttons.
      if (next) {
        const owner: ListOwner = { ownerSlackUserId: invocation.slackUserId, prefix };
        const listId = await feature.listPages.create(owner, [
          { page: 1, cursor: start, before: 0 },
          { page: 2, cursor: next, before: users.length },
        ]);
        buttons = pageButtons(listId, 1, true);
      }
      await invocation.reply(userListMessage({ prefix, page: 1, before: 0, users, buttons }));
    },
  };
}

function userShowCommand(feature: UserDirectoryFeature): SubCommand {
  const usage = '/vams user show <userId>';
  return {
    name: 'user show',
    audience: 'admins-and-managers',
    usage,
    summary: 'one Cognito user in full: MFA, VAMS roles and API keys (metadata)',
    run: async (invocation) => {
      const directory = feature.directory;
      const userId = await oneUserId(invocation, usage, directory !== undefined);
      if (!userId || !directory) return;
      await invocation.ack();
      const filing = mayFile(
        await feature.identify(invocation.slackUserId, invocation.teamId),
        feature.policy,
        READ_DIRECTORY,
      );
      if (!filing.allowed) {
        await invocation.reply(sectionMessage(filingRefusalText(filing.refusal)));
        return;
      }
      let [user, roles, keys] = await Promise.all([
        directory.userDetail(userId),
        feature.userRoles.rolesOf(userId),
        feature.apiKeys.keysOf(userId),
      ]);
      if (!user) {
        await invocation.reply(noSuchUser(userId, roles.length, keys.length));
        return;
      }
      // The pool matches User IDs regardless of case; VAMS's tables are keyed by the exact one.
      if (user.username !== userId) {
        [roles, keys] = await Promise.all([
          feature.userRoles.rolesOf(user.username),
          feature.apiKeys.keysOf(user.username),
        ]);
      }
      const admin = standingOf(filing.requester.roles, feature.policy).isAdmin;
      const buttons = admin ? accessButtons(user.username, user.enabled) : [];
      const now = feature.clock();
      // Rotate and Revoke answer with `/vams key rotate` and `revoke`'s own rules.
      const keyButtons = keys
        .filter((key) => admin && keyState(key, now) === 'active')
        .map((key) => ({ apiKeyId: key.apiKeyId, buttons: keyActionButtons(key.apiKeyId) }));
      await invocation.reply(userShowMessage({ user, roles, keys, buttons, keyButtons, now }));
    },
  };
}

export function userDirectoryCommands(feature: UserDirectoryFeature): SubCommand[] {
  return [userListCommand(feature), userShowCommand(feature)];
}

/** A click's answer only the clicker sees, leaving the message clicked on as it was. */
async function tell(respond: RespondFn, body: MessageBody, logger: AppLogger): Promise<void> {
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    ...checkedMessage(body),
  }).catch((error: unknown) => logger.warn({ err: error }, 'could not answer a click'));
}

/** Previous / Next: only the person who asked for the list may page it, and only while allowed. */
async function turnPage(
  feature: UserDirectoryFeature,
  body: BlockAction<ButtonAction>,
  value: string | undefined,
  respond: RespondFn,
): Promise<void> {
  const { logger } = feature;
  const target = PAGE_VALUE.exec(value ?? '');
  const listId = target?.[1];
  const page = Number(target?.[2]);
  if (!listId || !page) {
    await tell(respond, sectionMessage('That button does not belong to a user list.'), logger);
    return;
  }
  const stored = await feature.listPages.load(listId, page);
  if (!stored) {
    await tell(
      respond,
      sectionMessage('This list has expired; run `/vams user list` again.'),
      logger,
    );
    return;
  }
  if (stored.ownerSlackUserId !== body.user.id) {
    const text = `Only <@${stored.ownerSlackUserId}>, who asked for this list, can page it. Run \`/vams user list\` for your own.`;
    await tell(respond, sectionMessage(text), logger);
    return;
  }
  const identity = await feature.identify(body.user.id, body.user.team_id ?? body.team?.id);
  const refusal = filingRefusal(identity, feature.policy, READ_DIRECTORY);
  if (refusal || !feature.directory) {
    const text = refusal ? filingRefusalText(refusal) : EXTERNAL_IDP_TEXT;
    await tell(respond, sectionMessage(text), logger);
    return;
  }
  const { users, next } = await feature.directory.listPage(stored.prefix, stored.cursor);
  if (next) {
    const before = stored.before + users.length;
    await feature.listPages.record(listId, stored, { page: page + 1, cursor: next, before });
  }
  const message = userListMessage({
    prefix: stored.prefix,
    page,
    before: stored.before,
    users,
    buttons: pageButtons(listId, page, next !== undefined),
  });
  await respond({ replace_original: true, ...checkedMessage(message) });
}

export function registerUserDirectoryFeature(app: App, feature: UserDirectoryFeature): void {
  for (const actionId of [USER_DIRECTORY_IDS.previousPage, USER_DIRECTORY_IDS.nextPage]) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      await turnPage(feature, body, action.value, respond);
    });
  }

  for (const { actionId, kind } of ACCESS_BUTTONS) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      const userId = action.value ?? '';
      if (!VAMS_USER_ID.test(userId)) return;
      // The click's trigger lives 3 s: the dialog opens before anything else is read.
      await openAccessDialog(feature, {
        kind,
        userId,
        triggerId: body.trigger_id,
        slackUserId: body.user.id,
        teamId: body.user.team_id ?? body.team?.id,
      });
    });
  }
}
