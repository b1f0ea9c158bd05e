import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { filingRefusal, mayFile } from '../auth/filing-policy';
import type { MappedIdentity } from '../auth/identity';
import type { RolePolicy } from '../auth/roles';
import type { OnboardingParams, PreflightResult } from '../domain/request';
import type { CognitoAdmin } from '../gateways/cognito-admin.gateway';
import type { CognitoUserDirectory } from '../gateways/cognito-users.gateway';
import { validateOnboarding } from '../kinds/onboarding/form';
import type { AppLogger } from '../logging';
import type { DirectMessages } from '../slack/slack-notifier';
import { parseViewState, selectedValues, textValue } from '../slack/view-state';
import type { VamsRoleCatalog } from '../stores/vams-roles.store';
import { filingRefusalText } from '../views/filing-refusal.view';
import { USER_CREATE_IDS, userCreateModal } from '../views/user-create.view';
import type { Workflow } from '../workflow/workflow';
import { EXTERNAL_IDP_TEXT, fieldErrorsAck, noticeAck, openThenCheck } from './dialogs';
import type { Identify } from './identity.commands';
import type { SubCommand } from './sub-command';
import { submitRequest, tellNotFiled } from './submit-request';

export interface UserFeature {
  identify: Identify;
  workflow: Workflow;
  policy: RolePolicy;
  roles: VamsRoleCatalog;
  /** Undefined when users live in an external identity provider. */
  cognito: CognitoAdmin | undefined;
  directory: Pick<CognitoUserDirectory, 'usernamesWithEmail'> | undefined;
  /** The Slack member with this email, if any (users.lookupByEmail). */
  slackUserForEmail(email: string): Promise<string | undefined>;
  views: WebClient;
  dms: DirectMessages;
  logger: AppLogger;
}

// Slack caps option text and value at 75 characters: longer role names cannot be offered.
const OPTION_LIMIT = 75;
const OPTIONS_PER_ANSWER = 100;

const ids = USER_CREATE_IDS;
const ONBOARD = { kind: 'user.create' } as const;
const TITLE = 'Onboard a VAMS user';

export function userCreateCommand(feature: UserFeature): SubCommand {
  return {
    name: 'user create',
    audience: 'mapped',
    usage: '/vams user create',
    summary: 'onboard a new VAMS user (modal; needs an approval)',
    run: async (invocation) => {
      if (!feature.cognito) {
        await invocation.ack({ text: EXTERNAL_IDP_TEXT, blocks: [] });
        return;
      }
      await invocation.ack();
      await openThenCheck(feature, invocation.triggerId, userCreateModal(), async () => {
        const identity = await feature.identify(invocation.slackUserId, invocation.teamId);
        const refusal = filingRefusal(identity, feature.policy, ONBOARD);
        return refusal && filingRefusalText(refusal);
      });
    },
  };
}

async function preflight(
  feature: UserFeature,
  cognito: CognitoAdmin,
  userId: string,
  roles: string[],
): Promise<{ errors: Record<string, string>; results: PreflightResult[] }> {
  const [existing, missing] = await Promise.all([
    cognito.findUser(userId),
    feature.roles.missing(roles),
  ]);
  const errors: Record<string, string> = {};
  if (existing) errors[ids.userId.block] = `A Cognito user with User ID ${userId} already exists.`;
  if (missing.length > 0)
    errors[ids.roles.block] = `Not in the VAMS roles table: ${missing.join(', ')}.`;
  return {
    errors,
    results: [
      {
        check: 'user-id-free',
        ok: !existing,
        detail: `User ID ${userId} is free in the user pool`,
      },
      {
        check: 'roles-exist',
        ok: missing.length === 0,
        detail: `Roles exist in VAMS: ${roles.join(', ')}`,
      },
    ],
  };
}

/** Whose Slack email the new user's email is: the requester's, another member's, or nobody's. */
function slackMemberCheck(
  email: string,
  own: boolean,
  member: { checked: boolean; slackUserId: string | undefined },
): PreflightResult {
  if (own) {
    return {
      check: 'email-not-requester',
      ok: false,
      detail: `The new user's email ${email} is the requester's own Slack email`,
    };
  }
  const check = 'email-not-slack-member';
  if (member.slackUserId) {
    return {
      check,
      ok: false,
      detail: `The new user's email ${email} belongs to Slack member ${member.slackUserId}, who therefore cannot approve this request`,
    };
  }
  return member.checked
    ? { check, ok: true, detail: `No Slack member has ${email}` }
    : { check, ok: false, detail: `Slack could not be asked whether a member has ${email}` };
}

/**
 * Warnings for the approvers (not refusals): whose email the new user gets, whether a Cognito
 * user already has it, and whether the requester holds the roles they ask to give. A Slack
 * member with that email becomes someone the request is about: they cannot approve it.
 */
async function onboardingWarnings(
  feature: UserFeature,
  requester: MappedIdentity,
  params: OnboardingParams,
): Promise<{ results: PreflightResult[]; subjectSlackUserIds: string[] }> {
  const { email } = params;
  const [member, holders] = await Promise.all([
    feature.slackUserForEmail(email).then(
      (slackUserId) => ({ checked: true, slackUserId }),
      () => ({ checked: false, slackUserId: undefined }),
    ),
    feature.directory ? feature.directory.usernamesWithEmail([email]) : Promise.resolve([]),
  ]);
  const own =
    member.slackUserId === requester.slackUserId ||
    requester.email?.toLowerCase() === email.toLowerCase();
  const notHeld = params.roles.filter((role) => !requester.roles.includes(role));
  const subjects = new Set<string>();
  if (member.slackUserId) subjects.add(member.slackUserId);
  if (own) subjects.add(requester.slackUserId);
  return {
    results: [
      slackMemberCheck(email, own, member),
      holders.length > 0
        ? {
            check: 'email-unused',
            ok: false,
            detail: `Cognito users already have ${email}: ${holders.join(', ')}`,
          }
        : { check: 'email-unused', ok: true, detail: `No Cognito user has ${email}` },
      notHeld.length > 0
        ? {
            check: 'requester-holds-roles',
            ok: false,
            detail: `The requester does not hold ${notHeld.join(', ')}, which they ask to give`,
          }
        : {
            check: 'requester-holds-roles',
            ok: true,
            detail: 'The requester holds every role they ask to give',
          },
    ],
    subjectSlackUserIds: [...subjects],
  };
}

export function registerUserFeature(app: App, feature: UserFeature): void {
  app.options(ids.roles.action, async ({ ack, payload, body }) => {
    // The options request is a request of its own: only someone who may file an onboarding
    // request learns the deployment's role names (guests and strangers get an empty list).
    // Both reads at once: the options come back inside the ack, within Slack's 3 s.
    const [identity, matches] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      feature.roles.search(payload.value ?? '', OPTIONS_PER_ANSWER * 2),
    ]);
    if (filingRefusal(identity, feature.policy, ONBOARD)) {
      await ack({ options: [] });
      return;
    }
    const options = matches
      .filter((role) => role.roleName.length <= OPTION_LIMIT)
      .slice(0, OPTIONS_PER_ANSWER)
      .map((role) => ({
        text: { type: 'plain_text' as const, text: role.roleName },
        value: role.roleName,
      }));
    await ack({ options });
  });

  app.view(ids.callbackId, async ({ ack, body, view }) => {
    const values = parseViewState(view.state.values);
    const checked = validateOnboarding({
      userId: textValue(values, ids.userId),
      email: textValue(values, ids.email),
      phone: textValue(values, ids.phone),
      roles: selectedValues(values, ids.roles),
      reason: textValue(values, ids.reason),
    });
    if (!checked.ok) {
      await ack(fieldErrorsAck(checked.errors, ids));
      return;
    }
    const cognito = feature.cognito;
    if (!cognito) {
      await ack(noticeAck(TITLE, EXTERNAL_IDP_TEXT));
      return;
    }
    // Field errors need the pool and the roles table, so they are read before the ack: all at
    // once, to answer within Slack's 3 s. Only someone the policy lets ask sees what they say.
    const [asker, checks] = await Promise.all([
      feature.identify(body.user.id, body.user.team_id ?? body.team?.id),
      preflight(feature, cognito, checked.params.userId, checked.params.roles),
    ]);
    const filing = mayFile(asker, feature.policy, ONBOARD);
    if (!filing.allowed) {
      await ack(noticeAck(TITLE, filingRefusalText(filing.refusal)));
      return;
    }
    const identity = filing.requester;
    if (Object.keys(checks.errors).length > 0) {
      await ack({ response_action: 'errors', errors: checks.errors });
      return;
    }
    await ack();
    const draft = {
      kind: 'user.create' as const,
      params: checked.params,
      reason: checked.reason,
      requester: { slackUserId: identity.slackUserId, vamsUserId: identity.vamsUserId },
      subject: checked.params.userId,
    };
    let warnings: Awaited<ReturnType<typeof onboardingWarnings>>;
    try {
      warnings = await onboardingWarnings(feature, identity, checked.params);
    } catch (error) {
      await tellNotFiled(feature.dms, feature.logger, draft, error);
      return;
    }
    await submitRequest(feature, view, {
      ...draft,
      subjectSlackUserIds: warnings.subjectSlackUserIds,
      preflight: [...checks.results, ...warnings.results],
    });
  });
}
