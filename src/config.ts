import { z } from 'zod';
import { ROLE_NAME } from './vams/vams-format';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface VamsTableNames {
  userRoles: string;
  roles: string;
  apiKeys: string;
}

export type BackendConfig =
  | { kind: 'local'; localAdminEmail: string | undefined }
  | {
      kind: 'aws';
      region: string;
      userPoolId: string | undefined;
      tables: VamsTableNames;
      botTable: string;
      createTables: boolean;
    };

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
    teamId: string | undefined;
  };
  port: number;
  approvalChannelId: string;
  backend: BackendConfig;
  adminRoles: string[];
  managerRoles: string[];
  allowSelfApproval: boolean;
  requestTtlHours: number;
  offboardApprovals: number;
  /** Distinct admins a privileged request needs (one that would give someone an admin role). */
  privilegedApprovals: number;
  /** Roles a manager may approve in onboarding; empty: every role that is not an admin role. */
  managerGrantableRoles: string[];
  apiKeyDefaultDays: number;
  apiKeyMaxDays: number;
  tempPasswordDelivery: 'email' | 'slack-dm';
  /** Minutes offered in a grant's `Duration`, shortest first. */
  grantDurations: number[];
  /** Longest grant someone may ask for themselves. */
  grantMaxMinutes: number;
  /** Mentioned on every new card and on reminders: `<!subteam^S…>` or `<@U…>` each. */
  approverMention: ApproverMention[];
  /** First reminder of an undecided request; the next come after twice as long each. */
  remindAfterMinutes: number;
  /** Where a request still undecided past half its TTL is escalated. */
  escalationChannelId: string | undefined;
  breakglass: {
    /** Holders of one of these roles may break glass; empty: nobody. */
    allowed: string[];
    /** The roles break-glass may give; empty: none. */
    roles: string[];
    maxMinutes: number;
  };
  /**
   * Cognito calls that change a user (create, update, disable, delete, sign out) this process
   * makes a second at most, shared by every request it runs; reads are not counted.
   */
  cognitoCallsPerSecond: number;
  logLevel: LogLevel;
  /** The VAMS deployment's AuthChanges log group: the bot's audit lines are sent there too. */
  authAuditLogGroup: string | undefined;
}

/** A Slack user group or a Slack user to mention. */
export type ApproverMention = { type: 'usergroup'; id: string } | { type: 'user'; id: string };

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
// VAMS holds user ids and role names to this rule; a role list that breaks it can never match a
// role row.

const required = z.string({ error: 'is required' });
const optional = z.string().optional();

function token(prefix: string) {
  // Never echo a token back: the message names the expected shape only.
  return z.string().refine((value) => value.startsWith(prefix), `must start with "${prefix}"`);
}

function slackId(firstLetters: string, what: string) {
  const pattern = new RegExp(`^[${firstLetters}][A-Z0-9]{2,}$`);
  return z.string().refine((value) => pattern.test(value), {
    error: (issue) =>
      `must be a Slack ${what} id such as ${firstLetters[0]}0123ABCD (got "${String(issue.input)}")`,
  });
}

function wholeNumber(min: number, max: number, fallback: number) {
  return z
    .string()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      error: (issue) =>
        `must be a whole number from ${min} to ${max} (got "${String(issue.input)}")`,
    })
    .transform(Number);
}

// A year of minutes: longer than any grant anyone should hold without a review.
const LONGEST_GRANT_MINUTES = 366 * 24 * 60;

function minuteList(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((minutes) => minutes.trim()))
    .refine(
      (values) =>
        values.length > 0 &&
        values.every(
          (minutes) =>
            /^\d+$/.test(minutes) &&
            Number(minutes) >= 1 &&
            Number(minutes) <= LONGEST_GRANT_MINUTES,
        ),
      {
        error: (issue) =>
          `must be comma-separated whole minutes from 1 to ${LONGEST_GRANT_MINUTES}, e.g. 60,240,1440 (got "${String(issue.input)}")`,
      },
    )
    .transform((values) => [...new Set(values.map(Number))].sort((a, b) => a - b))
    .refine(
      (values) => values.length <= 20,
      'offers at most 20 durations (a select holds them all)',
    );
}

function mentionList() {
  return z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id.length > 0),
    )
    .refine((ids) => ids.every((id) => /^[SUW][A-Z0-9]{2,}$/.test(id)), {
      error: (issue) =>
        `must be a Slack user group id (S0123ABCD) or comma-separated user ids (U0123ABCD) (got "${String(issue.input)}")`,
    })
    .refine((ids) => ids.length <= 20, 'mentions at most 20 groups or people')
    .transform((ids) =>
      [...new Set(ids)].map(
        (id): ApproverMention =>
          id.startsWith('S') ? { type: 'usergroup', id } : { type: 'user', id },
      ),
    );
}

function flag(fallback: boolean) {
  return z
    .string()
    .default(String(fallback))
    .refine((value) => value === 'true' || value === 'false', {
      error: (issue) => `must be "true" or "false" (got "${String(issue.input)}")`,
    })
    .transform((value) => value === 'true');
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z
    .enum(values, {
      error: (issue) => `must be one of ${values.join(', ')} (got "${String(issue.input)}")`,
    })
    .default(fallback);
}

function roleList(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((role) => role.trim())
        .filter((role) => role.length > 0),
    )
    .refine((roles) => roles.every((role) => ROLE_NAME.test(role)), {
      error: (issue) =>
        `has a role name VAMS cannot hold (letters, digits and _ - . + @ only): ${String(issue.input)}`,
    });
}

const environmentSchema = z.object({
  SLACK_BOT_TOKEN: required.pipe(token('xoxb-')),
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: token('xapp-').optional(),
  SLACK_API_URL: z.url({ error: 'must be a URL such as https://slack.com/api/' }).optional(),
  SLACK_TEAM_ID: slackId('TE', 'workspace').optional(),
  PORT: wholeNumber(0, 65535, 3000),
  APPROVAL_CHANNEL_ID: required.pipe(slackId('CG', 'channel')),
  BACKEND: oneOf(['local', 'aws'], 'local'),
  LOCAL_ADMIN_EMAIL: z.email({ error: 'must be an email address' }).optional(),
  AWS_REGION: optional,
  COGNITO_USER_POOL_ID: z
    .string()
    .regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must look like us-east-1_AbCdEf123')
    .optional(),
  VAMS_USER_ROLES_TABLE: optional,
  VAMS_ROLES_TABLE: optional,
  VAMS_API_KEYS_TABLE: optional,
  BOT_TABLE: optional,
  CREATE_TABLES: flag(false),
  ADMIN_ROLES: roleList('admin').refine((roles) => roles.length > 0, 'must name at least one role'),
  MANAGER_ROLES: roleList(''),
  ALLOW_SELF_APPROVAL: flag(false),
  REQUEST_TTL_HOURS: wholeNumber(1, 24 * 30, 24),
  OFFBOARD_APPROVALS: wholeNumber(1, 10, 1),
  PRIVILEGED_APPROVALS: wholeNumber(1, 5, 1),
  MANAGER_GRANTABLE_ROLES: roleList(''),
  API_KEY_DEFAULT_DAYS: wholeNumber(1, 3650, 90),
  API_KEY_MAX_DAYS: wholeNumber(1, 3650, 365),
  TEMP_PASSWORD_DELIVERY: oneOf(['email', 'slack-dm'], 'email'),
  GRANT_DURATIONS: minuteList('60,240,480,1440,10080'),
  GRANT_MAX_MINUTES: wholeNumber(1, LONGEST_GRANT_MINUTES, 1440),
  APPROVER_MENTION: mentionList(),
  REMIND_AFTER_MINUTES: wholeNumber(1, 24 * 60, 30),
  ESCALATION_CHANNEL_ID: slackId('CG', 'channel').optional(),
  BREAKGLASS_ALLOWED: roleList(''),
  BREAKGLASS_ROLES: roleList(''),
  BREAKGLASS_MAX_MINUTES: wholeNumber(1, 24 * 60, 240),
  // Cognito's default quota for admin user updates (disable, delete, sign-out, attributes) is
  // 25 a second: one less, so that calls bunched up on the way still arrive within it.
  COGNITO_CALLS_PER_SECOND: wholeNumber(1, 10_000, 24),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  VAMS_AUTH_AUDIT_LOG_GROUP: z
    .string()
    .regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'must be a CloudWatch Logs group name')
    .optional(),
});

type Environment = z.infer<typeof environmentSchema>;

const AWS_REQUIRED = [
  'AWS_REGION',
  'VAMS_USER_ROLES_TABLE',
  'VAMS_ROLES_TABLE',
  'VAMS_API_KEYS_TABLE',
  'BOT_TABLE',
] as const;

type RawEnvironment = Record<string, string | undefined>;

/** Rules between variables, checked on the raw values so that they add to the per-field lines. */
function presenceProblems(env: RawEnvironment): string[] {
  const problems: string[] = [];
  if (env.SLACK_APP_TOKEN === undefined && env.SLACK_SIGNING_SECRET === undefined) {
    problems.push('SLACK_SIGNING_SECRET is required (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (env.BACKEND === 'aws') {
    for (const name of AWS_REQUIRED) {
      if (env[name] === undefined) problems.push(`${name} is required when BACKEND=aws`);
    }
  }
  return problems;
}

function rangeProblems(env: Environment): string[] {
  const problems: string[] = [];
  if (env.API_KEY_DEFAULT_DAYS > env.API_KEY_MAX_DAYS) {
    problems.push(
      `API_KEY_DEFAULT_DAYS (${env.API_KEY_DEFAULT_DAYS}) must not exceed API_KEY_MAX_DAYS (${env.API_KEY_MAX_DAYS})`,
    );
  }
  // Otherwise people could ask for no grant of their own at all.
  const [shortest] = env.GRANT_DURATIONS;
  if (shortest !== undefined && shortest > env.GRANT_MAX_MINUTES) {
    problems.push(
      `GRANT_DURATIONS offers nothing within GRANT_MAX_MINUTES (${env.GRANT_MAX_MINUTES}): its shortest is ${shortest}`,
    );
  }
  // Half the rule set would leave break-glass half on: nobody allowed, or nothing to give.
  if ((env.BREAKGLASS_ALLOWED.length === 0) !== (env.BREAKGLASS_ROLES.length === 0)) {
    problems.push(
      'BREAKGLASS_ALLOWED and BREAKGLASS_ROLES must be set together (both empty turns break-glass off)',
    );
  }
  return problems;
}

function toConfig(env: Environment): Config {
  const backend: BackendConfig =
    env.BACKEND === 'local'
      ? { kind: 'local', localAdminEmail: env.LOCAL_ADMIN_EMAIL }
      : {
          kind: 'aws',
          region: env.AWS_REGION ?? '',
          userPoolId: env.COGNITO_USER_POOL_ID,
          tables: {
            userRoles: env.VAMS_USER_ROLES_TABLE ?? '',
            roles: env.VAMS_ROLES_TABLE ?? '',
            apiKeys: env.VAMS_API_KEYS_TABLE ?? '',
          },
          botTable: env.BOT_TABLE ?? '',
          createTables: env.CREATE_TABLES,
        };
  return {
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      teamId: env.SLACK_TEAM_ID,
    },
    port: env.PORT,
    approvalChannelId: env.APPROVAL_CHANNEL_ID,
    backend,
    adminRoles: env.ADMIN_ROLES,
    managerRoles: env.MANAGER_ROLES,
    allowSelfApproval: env.ALLOW_SELF_APPROVAL,
    requestTtlHours: env.REQUEST_TTL_HOURS,
    offboardApprovals: env.OFFBOARD_APPROVALS,
    privilegedApprovals: env.PRIVILEGED_APPROVALS,
    managerGrantableRoles: env.MANAGER_GRANTABLE_ROLES,
    apiKeyDefaultDays: env.API_KEY_DEFAULT_DAYS,
    apiKeyMaxDays: env.API_KEY_MAX_DAYS,
    tempPasswordDelivery: env.TEMP_PASSWORD_DELIVERY,
    grantDurations: env.GRANT_DURATIONS,
    grantMaxMinutes: env.GRANT_MAX_MINUTES,
    approverMention: env.APPROVER_MENTION,
    remindAfterMinutes: env.REMIND_AFTER_MINUTES,
    escalationChannelId: env.ESCALATION_CHANNEL_ID,
    breakglass: {
      allowed: env.BREAKGLASS_ALLOWED,
      roles: env.BREAKGLASS_ROLES,
      maxMinutes: env.BREAKGLASS_MAX_MINUTES,
    },
    cognitoCallsPerSecond: env.COGNITO_CALLS_PER_SECOND,
    logLevel: env.LOG_LEVEL,
    authAuditLogGroup: env.VAMS_AUTH_AUDIT_LOG_GROUP,
  };
}

/** Reads the environment the README's Configuration table lists; one readable line per problem. */
export function loadConfig(source: NodeJS.ProcessEnv): ConfigResult {
  const names = Object.keys(environmentSchema.shape);
  // An empty variable (common in .env files and CI) means "not set".
  const env: RawEnvironment = Object.fromEntries(
    names.map((name) => [name, source[name]?.trim() || undefined]),
  );
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success
    ? [...presenceProblems(env), ...rangeProblems(parsed.data)]
    : [
        ...parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`),
        ...presenceProblems(env),
      ];
  if (!parsed.success || problems.length > 0)
    return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, config: toConfig(parsed.data) };
}
