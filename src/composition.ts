import { randomBytes } from 'node:crypto';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type pino from 'pino';
import { type Identity, type IdentityPorts, resolveIdentity } from './auth/identity';
import { RecentIdentities } from './auth/recent-identities';
import { standingOf } from './auth/roles';
import { auditTee, CloudWatchAuditLog } from './aws/audit-log';
import { CallPace } from './aws/throttle';
import type { Backend } from './backend/aws-backend';
import { breakglassCommand, registerBreakglassFeature } from './commands/breakglass.commands';
import { HomeTabs, registerHomeFeature } from './commands/home.commands';
import type { Identify } from './commands/identity.commands';
import { whoamiCommand } from './commands/identity.commands';
import { apiKeyCommands, registerApiKeyFeature } from './commands/key.commands';
import { linkCommands, registerLinkFeature } from './commands/link.commands';
import { offboardCommand, registerOffboardFeature } from './commands/offboard.commands';
import {
  registerRequestsFeature,
  requestCommand,
  requestsCommand,
} from './commands/requests.commands';
import { registerRoleFeature, roleCommands } from './commands/role.commands';
import { registerUserFeature, userCreateCommand } from './commands/user.commands';
import { registerUserAccessFeature, userAccessCommands } from './commands/user-access.commands';
import {
  registerUserDirectoryFeature,
  userDirectoryCommands,
} from './commands/user-directory.commands';
import { registerPasswordFeature, resetPasswordCommand } from './commands/user-password.commands';
import { registerUserUpdateFeature, userUpdateCommand } from './commands/user-update.commands';
import { registerVamsCommand } from './commands/vams.command';
import type { Config } from './config';
import type { AdminRoleGuard } from './domain/admin-role-guard';
import type { AuditEvent } from './domain/audit';
import { type Metrics, noMetrics } from './domain/metrics';
import type { AccessRequest, RequestKind } from './domain/request';
import { CognitoAdmin } from './gateways/cognito-admin.gateway';
import {
  CognitoUserDirectory,
  type UserListCursor,
  userListCursor,
} from './gateways/cognito-users.gateway';
import { keyOwnerProblem } from './kinds/api-key/key-rules';
import { approvalsOf } from './kinds/kind';
import { definitionOf, kindExecutors } from './kinds/registry';
import { lastAdminRemovalProblem } from './kinds/role-remove/steps';
import { type AppLogger, createLogger, stdoutDestination } from './logging';
import { countAwsErrors, countSlackErrors } from './metrics/client-errors';
import { registerListenerGuard } from './slack/listener-guard';
import { DirectMessages, SlackCourier, SlackRequestNotifier } from './slack/slack-notifier';
import { SlackPeople } from './slack/slack-people';
import type { SlackRuntime } from './slack/slack-runtime';
import { registerSubmissionGuard } from './slack/submission-guard';
import { registerWorkspaceGuard } from './slack/workspace-guard';
import { DynamoAdminRoleGuard } from './stores/admin-role-guard.store';
import { DraftStore } from './stores/draft.store';
import { GrantStore } from './stores/grant.store';
import { LinkStore } from './stores/link.store';
import { ListPageStore } from './stores/list-pages.store';
import { ReminderStore } from './stores/reminder.store';
import { RequestStore } from './stores/request.store';
import { VamsApiKeyStore } from './stores/vams-api-keys.store';
import { VamsRoleCatalog } from './stores/vams-roles.store';
import { VamsUserRoleStore } from './stores/vams-user-roles.store';
import { keyActionButtons } from './views/api-key.view';
import { checkedMessage } from './views/outgoing';
import { grantReminderDm } from './views/role.view';
import { type GrantSweep, GrantSweeper } from './workflow/grants';
import { type ReminderRun, remindExpiringKeys } from './workflow/key-reminders';
import { keyRecipientProblem } from './workflow/secret-recipients';
import { type RequestNotifier, Workflow } from './workflow/workflow';

export interface RunningApp {
  port: number;
  backend: Backend;
  workflow: Workflow;
  /** One run of each, on demand; they also run every `sweepMs` (keys: `reminderMs`). */
  sweeps: Sweeps;
  stop(): Promise<void>;
}

/** Knobs the environment contract does not expose; tests and benchmarks turn them. */
export interface Tuning {
  /** An execution silent for this long is taken over by another instance. */
  leaseMs: number;
  /** How often expiry and interrupted executions are looked for. */
  sweepMs: number;
  requiredApprovals: Partial<Record<RequestKind, number>>;
  clock: () => Date;
  /** How often keys about to expire are looked for. */
  reminderMs: number;
  /** A person's Home tab is redrawn at most once in this long. */
  homeRefreshMs: number;
  /** How long `/vams whoami` and `/vams help` may show an identity already resolved; 0: never. */
  identityCacheMs: number;
  /**
   * The names of VAMS's API keys, read by one Scan, answer a key dialog alone for this long; a
   * read at most `10 ×` this old answers while a new one runs. 0: every dialog scans.
   */
  keyNamesFreshMs: number;
  /**
   * Requests one process runs at once after their approvals; more wait their turn. Enough to keep
   * Cognito's pace busy, few enough that acknowledging Slack is not queued behind executions.
   */
  runsAtOnce: number;
}

/** How long a grant being ended is one instance's before another may finish it. */
const GRANT_CLAIM_MS = 15_000;

export const DEFAULT_TUNING: Tuning = {
  leaseMs: 60_000,
  sweepMs: 30_000,
  reminderMs: 3_600_000,
  homeRefreshMs: 5_000,
  identityCacheMs: 5_000,
  keyNamesFreshMs: 30_000,
  runsAtOnce: 16,
  requiredApprovals: {},
  clock: () => new Date(),
};

/** The stores and gateways, built once and shared: one SDK client each, one cache each. */
interface Adapters {
  requests: RequestStore;
  links: LinkStore;
  drafts: DraftStore;
  reminders: ReminderStore;
  listPages: ListPageStore<UserListCursor>;
  userRoles: VamsUserRoleStore;
  grants: GrantStore;
  adminGuard: AdminRoleGuard;
  roles: VamsRoleCatalog;
  apiKeys: VamsApiKeyStore;
  /** Both undefined when users live in an external identity provider. */
  cognito: CognitoAdmin | undefined;
  directory: CognitoUserDirectory | undefined;
}

function adaptersFor(
  backend: Backend,
  config: Config,
  tuning: Tuning,
  logger: AppLogger,
): Adapters {
  const { clock } = tuning;
  const { documents, cognito } = backend.clients;
  const { tables, userPoolId } = backend;
  const grants = new GrantStore(documents, tables.bot, tables.userRoles);
  return {
    requests: new RequestStore(documents, tables.bot, (pk) =>
      logger.warn({ pk }, 'an item listed as a request is not one; skipped'),
    ),
    links: new LinkStore(documents, tables.bot),
    drafts: new DraftStore(documents, tables.bot),
    reminders: new ReminderStore(documents, tables.bot),
    listPages: new ListPageStore(documents, tables.bot, userListCursor, () => clock().getTime()),
    userRoles: new VamsUserRoleStore(documents, tables.userRoles),
    grants,
    adminGuard: new DynamoAdminRoleGuard(documents, tables, config.adminRoles, undefined, (row) =>
      grants.grantHeld(row),
    ),
    roles: new VamsRoleCatalog(documents, tables.roles),
    apiKeys: new VamsApiKeyStore(documents, tables.apiKeys, {
      freshMs: tuning.keyNamesFreshMs,
      staleMs: 10 * tuning.keyNamesFreshMs,
      now: () => clock().getTime(),
      onReadFailed: (error) => logger.warn({ err: error }, 'could not read the API key names'),
    }),
    cognito: userPoolId
      ? new CognitoAdmin(cognito, userPoolId, new CallPace(config.cognitoCallsPerSecond))
      : undefined,
    directory: userPoolId ? new CognitoUserDirectory(cognito, userPoolId) : undefined,
  };
}

/** `fresh`: Slack profiles read now rather than from the cache, for whoever receives a secret. */
function identityService(
  adapters: Adapters,
  slack: SlackRuntime,
  people: SlackPeople,
  fresh = false,
): Identify {
  const { links, userRoles, directory } = adapters;
  const ports: IdentityPorts = {
    slackPerson: (slackUserId) =>
      fresh ? people.freshPerson(slackUserId) : people.person(slackUserId),
    linkOf: (slackUserId) => links.linkOf(slackUserId),
    cognitoUsername: async (username) => directory?.existingUsername(username),
    cognitoUsernamesWithEmail: async (candidates) =>
      directory ? directory.usernamesWithEmail(candidates) : [],
    rolesOf: (vamsUserId) => userRoles.rolesOf(vamsUserId),
  };
  return (slackUserId, teamId) =>
    resolveIdentity(ports, { slackUserId, requestTeamId: teamId, homeTeamId: slack.homeTeamId });
}

/** The parts of VAMS and Slack that API keys need, shared by commands, steps and reminders. */
interface KeyServices {
  apiKeys: VamsApiKeyStore;
  /** `heldRoles`: the owner's roles when they were read moments ago, for this same request. */
  ownerProblem(ownerUserId: string, heldRoles?: readonly string[]): Promise<string | undefined>;
  slackUserOf(vamsUserId: string): Promise<string | undefined>;
  /** Why this Slack person may not receive a key of this VAMS user; undefined if they may. */
  recipientProblem(slackUserId: string, vamsUserId: string): Promise<string | undefined>;
  courier: SlackCourier;
}

function keyServices(
  adapters: Adapters,
  slack: SlackRuntime,
  dms: DirectMessages,
  people: SlackPeople,
  identifyRecipient: Identify,
): KeyServices {
  const { userRoles, roles, cognito } = adapters;
  const courier = new SlackCourier(slack.clients.messages, dms, people, slack.homeTeamId);
  return {
    apiKeys: adapters.apiKeys,
    ownerProblem: (ownerUserId, heldRoles) =>
      keyOwnerProblem(
        {
          cognitoUserEnabled: async (userId) => (await cognito?.findUser(userId))?.enabled,
          rolesOf: (userId) => userRoles.rolesOf(userId),
          usableWithApiKeys: (names) => roles.usableWithApiKeys(names),
        },
        ownerUserId,
        heldRoles,
      ),
    // A link first; then a VAMS user ID that is an email, or the Cognito user's email, in Slack.
    slackUserOf: async (vamsUserId) => {
      const linked = await adapters.links.slackUserOfVamsUser(vamsUserId);
      if (linked) return linked;
      const email = vamsUserId.includes('@')
        ? vamsUserId
        : (await cognito?.findUser(vamsUserId))?.email;
      return email ? courier.slackUserForEmail(email) : undefined;
    },
    recipientProblem: (slackUserId, vamsUserId) =>
      keyRecipientProblem((id) => identifyRecipient(id, undefined), slackUserId, vamsUserId),
    courier,
  };
}

function workflowFor(
  config: Config,
  tuning: Tuning,
  adapters: Adapters,
  slack: SlackRuntime,
  dms: DirectMessages,
  keys: KeyServices,
  logger: AppLogger,
  hooks: { told?: (request: AccessRequest) => void },
  runInProcess: boolean,
  metrics: Metrics,
): Workflow {
  const slackNotifier = new SlackRequestNotifier(
    slack.clients.messages,
    config.approvalChannelId,
    dms,
    logger,
    {
      mentions: config.approverMention,
      ...(config.escalationChannelId ? { escalationChannelId: config.escalationChannelId } : {}),
    },
    tuning.clock,
  );
  // Whatever a request's card, thread or DMs were told, the Home tabs of its people show too.
  const notifier: RequestNotifier = {
    postCard: async (request) => {
      const card = await slackNotifier.postCard(request);
      hooks.told?.(request);
      return card;
    },
    progress: (request, steps) => slackNotifier.progress(request, steps),
    deliver: async (request, notice, recovering) => {
      await slackNotifier.deliver(request, notice, recovering);
      hooks.told?.(request);
    },
    settle: () => slackNotifier.settle(),
  };
  const executorOf = kindExecutors({
    cognito: adapters.cognito,
    userRoles: adapters.userRoles,
    apiKeys: adapters.apiKeys,
    adminGuard: adapters.adminGuard,
    adminRoles: config.adminRoles,
    courier: keys.courier,
    delivery: config.tempPasswordDelivery,
    roleGrants: {
      grants: adapters.grants,
      missingRoles: (names) => adapters.roles.missing(names),
      slackUserOf: keys.slackUserOf,
    },
    links: adapters.links,
    keys: {
      apiKeys: keys.apiKeys,
      ownerProblem: keys.ownerProblem,
      recipientProblem: keys.recipientProblem,
      sendApiKey: (delivery) => keys.courier.sendApiKey(delivery),
      retireKeyDms: (requestId, slackUserIds) =>
        keys.courier.retireSecretDms('api-key', requestId, slackUserIds),
    },
  });
  return new Workflow(
    adapters.requests,
    notifier,
    executorOf,
    adapters.userRoles,
    {
      ...config,
      runInProcess,
      runsAtOnce: tuning.runsAtOnce,
      metrics,
      leaseMs: tuning.leaseMs,
      nudges: {
        remindAfterMinutes: config.remindAfterMinutes,
        escalates: config.escalationChannelId !== undefined,
      },
      requiredApprovals: (kind) =>
        tuning.requiredApprovals[kind] ??
        approvalsOf(definitionOf(kind).approval.approvals, config.offboardApprovals),
    },
    logger,
    tuning.clock,
  );
}

/** The bot's work that no click starts: each run is one pass, safe on any number of instances. */
export interface Sweeps {
  /** Expiry, reminders and escalation, and executions a dead process left behind. */
  requests(): Promise<void>;
  /** Grant reminders and ends. */
  grants(): Promise<GrantSweep>;
  /** API keys about to expire. */
  keys(): Promise<ReminderRun>;
}

export interface Bot {
  workflow: Workflow;
  sweeps: Sweeps;
  /**
   * The process stops: waits for what it started (runs under way, Home redraws) to end; runs
   * still waiting for their turn stay approved for a sweep.
   */
  settle(): Promise<void>;
}

/**
 * Adapters → workflow → listeners on `slack.app`: the same bot whether a server or Lambda
 * receives Slack's requests. With `runInProcess` off, decisions are only recorded and a worker
 * fed by the bot table's changes runs them.
 */
export function composeBot(
  config: Config,
  logger: AppLogger,
  tuning: Tuning,
  backend: Backend,
  slack: SlackRuntime,
  options: { runInProcess: boolean; metrics?: Metrics },
): Bot {
  const metrics = options.metrics ?? noMetrics;
  countAwsErrors(backend.clients.dynamo, metrics);
  countAwsErrors(backend.clients.cognito, metrics);
  countSlackErrors(slack.clients.messages, metrics);
  countSlackErrors(slack.clients.views, metrics);
  const adapters = adaptersFor(backend, config, tuning, logger);
  // One users.info cache for identities and for vetting who receives a secret.
  const people = new SlackPeople(slack.clients.messages);
  const identify = identityService(adapters, slack, people);
  // For what only shows who someone is; what files, decides or changes resolves it live.
  const recent = new RecentIdentities(identify, tuning.identityCacheMs, () =>
    tuning.clock().getTime(),
  );
  const dms = new DirectMessages(slack.clients.messages);
  const keys = keyServices(
    adapters,
    slack,
    dms,
    people,
    identityService(adapters, slack, people, true),
  );
  const hooks: { told?: (request: AccessRequest) => void } = {};
  const workflow = workflowFor(
    config,
    tuning,
    adapters,
    slack,
    dms,
    keys,
    logger,
    hooks,
    options.runInProcess,
    metrics,
  );
  const homes = new HomeTabs(
    {
      identify,
      open: () => workflow.open(),
      askedBy: (slackUserId, limit) => adapters.requests.askedBy(slackUserId, limit),
      refusalFor: (request, identity) => workflow.refusalFor(request, identity),
      mayApprove: (identity) => {
        const standing = standingOf(identity.mapped ? identity.roles : [], config);
        return standing.isAdmin || standing.isManager;
      },
      holdingsOf: (vamsUserId) => adapters.grants.holdingsOf(vamsUserId),
      keysOf: (vamsUserId) => adapters.apiKeys.keysOf(vamsUserId),
      keyButtons: (key) => keyActionButtons(key.apiKeyId),
    },
    {
      client: slack.clients.messages,
      logger,
      clock: tuning.clock,
      refreshMs: tuning.homeRefreshMs,
    },
  );
  hooks.told = (request) => {
    recent.forgetAll();
    homes.concernsRequest(request);
  };
  const userFeature = {
    identify,
    workflow,
    policy: config,
    roles: adapters.roles,
    cognito: adapters.cognito,
    directory: adapters.directory,
    slackUserForEmail: (email: string) => keys.courier.slackUserForEmail(email),
    views: slack.clients.views,
    dms,
    logger,
  };
  const accessFeature = {
    identify,
    workflow,
    cognito: adapters.cognito,
    apiKeys: adapters.apiKeys,
    policy: config,
    views: slack.clients.views,
    dms,
    logger,
  };
  const updateFeature = { ...accessFeature, directory: adapters.directory };
  const directoryFeature = {
    identify,
    policy: config,
    directory: adapters.directory,
    userRoles: adapters.userRoles,
    apiKeys: adapters.apiKeys,
    listPages: adapters.listPages,
    views: slack.clients.views,
    logger,
    clock: tuning.clock,
  };
  const offboardFeature = {
    identify,
    workflow,
    cognito: adapters.cognito,
    userRoles: adapters.userRoles,
    apiKeys: adapters.apiKeys,
    drafts: adapters.drafts,
    policy: config,
    views: slack.clients.views,
    dms,
    logger,
  };
  const requestsFeature = {
    identify,
    workflow,
    // Removing the last admin's admin role is refused when it would be approved, too.
    approvalProblem: async (request: AccessRequest) => {
      if (request.kind !== 'role.remove') return undefined;
      return lastAdminRemovalProblem(
        adapters.userRoles,
        config.adminRoles,
        request.params.userId,
        request.params.roleName,
        (row) => adapters.grants.grantHeld(row),
      );
    },
    views: slack.clients.views,
    messages: slack.clients.messages,
    logger,
    homes,
    events: (requestId: string) => adapters.requests.events(requestId),
    isAdmin: (identity: Identity) =>
      standingOf(identity.mapped ? identity.roles : [], config).isAdmin,
  };
  const keyFeature = {
    identify,
    workflow,
    policy: config,
    apiKeys: keys.apiKeys,
    ownerProblem: keys.ownerProblem,
    slackUserOf: keys.slackUserOf,
    recipientProblem: keys.recipientProblem,
    // Gone from the pool (when users live in one), disabled there, or holding no role.
    orphaned: async (userId: string) => {
      const [roles, user] = await Promise.all([
        adapters.userRoles.rolesOf(userId),
        adapters.cognito ? adapters.cognito.findUser(userId) : Promise.resolve(undefined),
      ]);
      if (roles.length === 0) return true;
      return adapters.cognito !== undefined && (!user || user.enabled === false);
    },
    audit: (event: AuditEvent) => adapters.requests.appendEvent(event),
    limits: { defaultDays: config.apiKeyDefaultDays, maxDays: config.apiKeyMaxDays },
    views: slack.clients.views,
    dms,
    logger,
    clock: tuning.clock,
    homes,
  };
  const grantSweeper = new GrantSweeper({
    records: adapters.grants,
    tell: (word) => workflow.afterword(word),
    remind: async (holding, grant) => {
      if (!grant.granteeSlackUserId) return;
      await dms.send(grant.granteeSlackUserId, checkedMessage(grantReminderDm(holding, grant)));
    },
    logger,
    instanceId: randomBytes(6).toString('hex'),
    // Short: a grant taken by an instance that died ends soon after, well within a minute.
    claimMs: Math.min(tuning.leaseMs, GRANT_CLAIM_MS),
  });
  const sweepGrants = () => grantSweeper.sweep(tuning.clock());
  const roleFeature = {
    identify,
    workflow,
    policy: config,
    cognito: adapters.cognito,
    roles: adapters.roles,
    userRoles: adapters.userRoles,
    grants: adapters.grants,
    tellEnded: async (userId: string, roleName: string) => {
      await grantSweeper.settle(userId, roleName, tuning.clock());
      recent.forgetAll();
    },
    durations: config.grantDurations,
    maxMinutes: config.grantMaxMinutes,
    adminRoles: config.adminRoles,
    views: slack.clients.views,
    dms,
    logger,
    clock: tuning.clock,
    homes,
  };
  const breakglassFeature = {
    identify,
    workflow,
    policy: config,
    breakglass: config.breakglass,
    grantDurations: config.grantDurations,
    roles: adapters.roles,
    grants: adapters.grants,
    tellEnded: roleFeature.tellEnded,
    views: slack.clients.views,
    dms,
    logger,
    clock: tuning.clock,
    homes,
  };
  const linkFeature = {
    identify,
    workflow,
    policy: config,
    links: {
      linkOf: (slackUserId: string) => adapters.links.linkOf(slackUserId),
      slackUserOfVamsUser: (vamsUserId: string) => adapters.links.slackUserOfVamsUser(vamsUserId),
      unlink: async (slackUserId: string) => {
        const removed = await adapters.links.unlink(slackUserId);
        recent.forgetAll();
        return removed;
      },
    },
    slackPerson: (slackUserId: string) => people.freshPerson(slackUserId),
    homeTeamId: slack.homeTeamId,
    rolesOf: (vamsUserId: string) => adapters.userRoles.rolesOf(vamsUserId),
    cognitoUserExists: adapters.cognito
      ? async (userId: string) => (await adapters.cognito?.findUser(userId)) !== undefined
      : undefined,
    audit: (event: AuditEvent) => adapters.requests.appendEvent(event),
    views: slack.clients.views,
    dms,
    logger,
    clock: tuning.clock,
  };
  const remindKeys = () =>
    remindExpiringKeys(
      {
        apiKeys: keys.apiKeys,
        reminders: adapters.reminders,
        slackUserOf: keys.slackUserOf,
        remind: (slackUserId, key, expiry) =>
          keys.courier.remindKeyExpiry(slackUserId, key, expiry),
        logger,
      },
      tuning.clock(),
    );
  // First, so that it wraps every other middleware and listener.
  registerListenerGuard(slack.app, dms, logger);
  registerWorkspaceGuard(slack.app, slack.homeTeamId, logger);
  registerSubmissionGuard(slack.app);
  registerVamsCommand(
    slack.app,
    [
      whoamiCommand(recent.identify, config),
      userCreateCommand(userFeature),
      ...userAccessCommands(accessFeature),
      ...userDirectoryCommands(directoryFeature),
      resetPasswordCommand(accessFeature),
      userUpdateCommand(updateFeature),
      offboardCommand(offboardFeature),
      ...apiKeyCommands(keyFeature),
      ...roleCommands(roleFeature),
      requestsCommand(requestsFeature),
      requestCommand(requestsFeature),
      ...linkCommands(linkFeature),
      breakglassCommand(breakglassFeature),
    ],
    { identify: recent.identify, policy: config, logger },
  );
  registerUserFeature(slack.app, userFeature);
  registerUserAccessFeature(slack.app, accessFeature);
  registerUserDirectoryFeature(slack.app, directoryFeature);
  registerPasswordFeature(slack.app, accessFeature);
  registerUserUpdateFeature(slack.app, updateFeature);
  registerOffboardFeature(slack.app, offboardFeature);
  registerApiKeyFeature(slack.app, keyFeature);
  registerRequestsFeature(slack.app, requestsFeature);
  registerRoleFeature(slack.app, roleFeature);
  registerLinkFeature(slack.app, linkFeature);
  registerBreakglassFeature(slack.app, breakglassFeature);
  registerHomeFeature(slack.app, homes);
  slack.app.error(async (error) => {
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });
  return {
    workflow,
    sweeps: {
      // In order (what expires is not reminded), but each apart: one that fails leaves the
      // others to do their work, and the run reports the first failure.
      requests: async () => {
        let failure: unknown;
        for (const pass of [
          () => workflow.expireDue(),
          () => workflow.nudgeDue(),
          () => workflow.resumeInterrupted(),
        ]) {
          try {
            await pass();
          } catch (error) {
            failure ??= error;
          }
        }
        if (failure !== undefined) throw failure;
      },
      grants: sweepGrants,
      keys: remindKeys,
    },
    settle: async () => {
      homes.stop();
      workflow.close();
      await workflow.idle();
    },
  };
}

/**
 * The bot's logger; with `VAMS_AUTH_AUDIT_LOG_GROUP`, every `[AUTHCHANGES]` line it writes also
 * goes to that CloudWatch Logs group, VAMS's own audit of authorisation changes, under a stream
 * of this process. `audit` is undefined without it.
 */
export function createAuditedLogger(
  config: Pick<Config, 'logLevel' | 'authAuditLogGroup'>,
  destination: pino.DestinationStream = stdoutDestination(),
  clock: () => Date = () => new Date(),
): { logger: AppLogger; audit: CloudWatchAuditLog | undefined } {
  if (!config.authAuditLogGroup) {
    return { logger: createLogger(config.logLevel, destination), audit: undefined };
  }
  const day = clock().toISOString().slice(0, 10).replaceAll('-', '/');
  const stream = `vams-chatops/${day}/${randomBytes(6).toString('hex')}`;
  let logger: AppLogger | undefined;
  const audit = new CloudWatchAuditLog(
    new CloudWatchLogsClient({}),
    config.authAuditLogGroup,
    stream,
    {
      onWarning: (warning) =>
        logger?.warn(
          { pending: warning.pending, dropped: warning.dropped, err: warning.error },
          warning.message,
        ),
    },
  );
  logger = createLogger(config.logLevel, auditTee(destination, audit));
  return { logger, audit };
}
