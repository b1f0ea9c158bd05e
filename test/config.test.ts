import { loadConfig } from '../src/config';

const minimal = {
  SLACK_BOT_TOKEN: 'xoxb-123-456-abc',
  SLACK_SIGNING_SECRET: 'signing-secret',
  APPROVAL_CHANNEL_ID: 'C0APPROVALS',
};

const awsTables = {
  BACKEND: 'aws',
  AWS_REGION: 'eu-west-1',
  VAMS_USER_ROLES_TABLE: 'vams-user-roles',
  VAMS_ROLES_TABLE: 'vams-roles',
  VAMS_API_KEYS_TABLE: 'vams-api-keys',
  BOT_TABLE: 'vams-chatops',
};

function problemsOf(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  return result.ok ? [] : result.problems;
}

describe('loadConfig', () => {
  it('applies the defaults of the configuration contract', () => {
    const result = loadConfig(minimal);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config).toMatchObject({
      port: 3000,
      backend: { kind: 'local', localAdminEmail: undefined },
      adminRoles: ['admin'],
      managerRoles: [],
      allowSelfApproval: false,
      requestTtlHours: 24,
      offboardApprovals: 1,
      privilegedApprovals: 1,
      managerGrantableRoles: [],
      apiKeyDefaultDays: 90,
      apiKeyMaxDays: 365,
      tempPasswordDelivery: 'email',
      grantDurations: [60, 240, 480, 1440, 10080],
      grantMaxMinutes: 1440,
      approverMention: [],
      remindAfterMinutes: 30,
      escalationChannelId: undefined,
      breakglass: { allowed: [], roles: [], maxMinutes: 240 },
      cognitoCallsPerSecond: 24,
      logLevel: 'info',
      authAuditLogGroup: undefined,
    });
  });

  it('reads every variable it is given', () => {
    const result = loadConfig({
      ...minimal,
      ...awsTables,
      SLACK_APP_TOKEN: 'xapp-1-abc',
      SLACK_API_URL: 'http://127.0.0.1:9999/api/',
      SLACK_TEAM_ID: 'T0TEAM',
      PORT: '8080',
      COGNITO_USER_POOL_ID: 'eu-west-1_AbC123',
      CREATE_TABLES: 'true',
      ADMIN_ROLES: 'admin, super-admin',
      MANAGER_ROLES: 'team-lead',
      ALLOW_SELF_APPROVAL: 'true',
      REQUEST_TTL_HOURS: '48',
      OFFBOARD_APPROVALS: '2',
      PRIVILEGED_APPROVALS: '3',
      MANAGER_GRANTABLE_ROLES: 'viewer, editor',
      API_KEY_DEFAULT_DAYS: '30',
      API_KEY_MAX_DAYS: '60',
      TEMP_PASSWORD_DELIVERY: 'slack-dm',
      COGNITO_CALLS_PER_SECOND: '10',
      LOG_LEVEL: 'debug',
      VAMS_AUTH_AUDIT_LOG_GROUP: '/aws/vendedlogs/vams-prod/AuthChanges',
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config).toMatchObject({
      slack: { appToken: 'xapp-1-abc', apiUrl: 'http://127.0.0.1:9999/api/', teamId: 'T0TEAM' },
      port: 8080,
      backend: {
        kind: 'aws',
        region: 'eu-west-1',
        userPoolId: 'eu-west-1_AbC123',
        tables: { userRoles: 'vams-user-roles', roles: 'vams-roles', apiKeys: 'vams-api-keys' },
        botTable: 'vams-chatops',
        createTables: true,
      },
      adminRoles: ['admin', 'super-admin'],
      managerRoles: ['team-lead'],
      allowSelfApproval: true,
      requestTtlHours: 48,
      offboardApprovals: 2,
      privilegedApprovals: 3,
      managerGrantableRoles: ['viewer', 'editor'],
      apiKeyDefaultDays: 30,
      apiKeyMaxDays: 60,
      tempPasswordDelivery: 'slack-dm',
      cognitoCallsPerSecond: 10,
      logLevel: 'debug',
      authAuditLogGroup: '/aws/vendedlogs/vams-prod/AuthChanges',
    });
  });

  it('gives one line per missing required variable', () => {
    expect(problemsOf({})).toEqual([
      'SLACK_BOT_TOKEN is required',
      'APPROVAL_CHANNEL_ID is required',
      'SLACK_SIGNING_SECRET is required (or set SLACK_APP_TOKEN for Socket Mode)',
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(problemsOf({ ...minimal, APPROVAL_CHANNEL_ID: '  ' })).toEqual([
      'APPROVAL_CHANNEL_ID is required',
    ]);
  });

  it('does not need a signing secret in Socket Mode', () => {
    const { SLACK_SIGNING_SECRET: _unused, ...rest } = minimal;
    expect(problemsOf({ ...rest, SLACK_APP_TOKEN: 'xapp-1-abc' })).toEqual([]);
  });

  it.each([
    ['SLACK_BOT_TOKEN', 'xoxp-user-token', 'SLACK_BOT_TOKEN must start with "xoxb-"'],
    ['SLACK_APP_TOKEN', 'xoxb-not-app', 'SLACK_APP_TOKEN must start with "xapp-"'],
    ['SLACK_API_URL', 'not a url', 'SLACK_API_URL must be a URL such as https://slack.com/api/'],
    [
      'SLACK_TEAM_ID',
      'acme',
      'SLACK_TEAM_ID must be a Slack workspace id such as T0123ABCD (got "acme")',
    ],
    ['PORT', '70000', 'PORT must be a whole number from 0 to 65535 (got "70000")'],
    ['PORT', 'http', 'PORT must be a whole number from 0 to 65535 (got "http")'],
    [
      'APPROVAL_CHANNEL_ID',
      '#approvals',
      'APPROVAL_CHANNEL_ID must be a Slack channel id such as C0123ABCD (got "#approvals")',
    ],
    ['BACKEND', 'azure', 'BACKEND must be one of local, aws (got "azure")'],
    ['LOCAL_ADMIN_EMAIL', 'admin-at-example', 'LOCAL_ADMIN_EMAIL must be an email address'],
    ['COGNITO_USER_POOL_ID', 'mypool', 'COGNITO_USER_POOL_ID must look like us-east-1_AbCdEf123'],
    ['CREATE_TABLES', 'yes', 'CREATE_TABLES must be "true" or "false" (got "yes")'],
    ['ADMIN_ROLES', ' , ', 'ADMIN_ROLES must name at least one role'],
    [
      'MANAGER_ROLES',
      'leads, team leads',
      'MANAGER_ROLES has a role name VAMS cannot hold (letters, digits and _ - . + @ only): leads,team leads',
    ],
    ['ALLOW_SELF_APPROVAL', '1', 'ALLOW_SELF_APPROVAL must be "true" or "false" (got "1")'],
    ['REQUEST_TTL_HOURS', '0', 'REQUEST_TTL_HOURS must be a whole number from 1 to 720 (got "0")'],
    [
      'OFFBOARD_APPROVALS',
      '1.5',
      'OFFBOARD_APPROVALS must be a whole number from 1 to 10 (got "1.5")',
    ],
    [
      'PRIVILEGED_APPROVALS',
      '6',
      'PRIVILEGED_APPROVALS must be a whole number from 1 to 5 (got "6")',
    ],
    [
      'MANAGER_GRANTABLE_ROLES',
      'viewer, read only',
      'MANAGER_GRANTABLE_ROLES has a role name VAMS cannot hold (letters, digits and _ - . + @ only): viewer,read only',
    ],
    [
      'API_KEY_DEFAULT_DAYS',
      '-3',
      'API_KEY_DEFAULT_DAYS must be a whole number from 1 to 3650 (got "-3")',
    ],
    [
      'API_KEY_MAX_DAYS',
      'forever',
      'API_KEY_MAX_DAYS must be a whole number from 1 to 3650 (got "forever")',
    ],
    [
      'TEMP_PASSWORD_DELIVERY',
      'sms',
      'TEMP_PASSWORD_DELIVERY must be one of email, slack-dm (got "sms")',
    ],
    [
      'COGNITO_CALLS_PER_SECOND',
      '0',
      'COGNITO_CALLS_PER_SECOND must be a whole number from 1 to 10000 (got "0")',
    ],
    [
      'LOG_LEVEL',
      'verbose',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ],
    [
      'VAMS_AUTH_AUDIT_LOG_GROUP',
      'auth changes',
      'VAMS_AUTH_AUDIT_LOG_GROUP must be a CloudWatch Logs group name',
    ],
  ])('%s=%j gives its own readable line', (name, value, line) => {
    expect(problemsOf({ ...minimal, [name]: value })).toEqual([line]);
  });

  it('never echoes a malformed token', () => {
    const problems = problemsOf({ ...minimal, SLACK_BOT_TOKEN: 'xoxp-secret-user-token' });
    expect(problems.join('\n')).not.toContain('secret-user-token');
  });

  it.each([
    'AWS_REGION',
    'VAMS_USER_ROLES_TABLE',
    'VAMS_ROLES_TABLE',
    'VAMS_API_KEYS_TABLE',
    'BOT_TABLE',
  ])('BACKEND=aws without %s says so', (name) => {
    expect(problemsOf({ ...minimal, ...awsTables, [name]: '' })).toEqual([
      `${name} is required when BACKEND=aws`,
    ]);
  });

  it('leaves COGNITO_USER_POOL_ID optional: external identity provider', () => {
    const result = loadConfig({ ...minimal, ...awsTables });
    expect(
      result.ok && result.config.backend.kind === 'aws' && result.config.backend.userPoolId,
    ).toBe(undefined);
  });

  it('reports every problem at once, field and cross-field alike', () => {
    expect(problemsOf({ BACKEND: 'aws', PORT: 'x' })).toEqual([
      'SLACK_BOT_TOKEN is required',
      'PORT must be a whole number from 0 to 65535 (got "x")',
      'APPROVAL_CHANNEL_ID is required',
      'SLACK_SIGNING_SECRET is required (or set SLACK_APP_TOKEN for Socket Mode)',
      'AWS_REGION is required when BACKEND=aws',
      'VAMS_USER_ROLES_TABLE is required when BACKEND=aws',
      'VAMS_ROLES_TABLE is required when BACKEND=aws',
      'VAMS_API_KEYS_TABLE is required when BACKEND=aws',
      'BOT_TABLE is required when BACKEND=aws',
    ]);
  });

  it('refuses a default key lifetime longer than the maximum', () => {
    expect(problemsOf({ ...minimal, API_KEY_DEFAULT_DAYS: '400' })).toEqual([
      'API_KEY_DEFAULT_DAYS (400) must not exceed API_KEY_MAX_DAYS (365)',
    ]);
  });

  it('reads grant durations as sorted distinct minutes', () => {
    const result = loadConfig({
      ...minimal,
      GRANT_DURATIONS: '240, 1,60,60',
      GRANT_MAX_MINUTES: '60',
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config).toMatchObject({ grantDurations: [1, 60, 240], grantMaxMinutes: 60 });
  });

  it.each(['0', '60,abc', '60,,240', '1.5', '999999999'])(
    'refuses GRANT_DURATIONS=%s, naming the rule',
    (value) => {
      expect(problemsOf({ ...minimal, GRANT_DURATIONS: value })).toEqual([
        `GRANT_DURATIONS must be comma-separated whole minutes from 1 to 527040, e.g. 60,240,1440 (got "${value}")`,
      ]);
    },
  );

  it('refuses a maximum that leaves no duration to ask for oneself', () => {
    expect(problemsOf({ ...minimal, GRANT_DURATIONS: '240,480', GRANT_MAX_MINUTES: '60' })).toEqual(
      ['GRANT_DURATIONS offers nothing within GRANT_MAX_MINUTES (60): its shortest is 240'],
    );
  });

  it('reads approver nudges and break-glass', () => {
    const result = loadConfig({
      ...minimal,
      APPROVER_MENTION: 'U0ADA, S0APPROVERS,U0ADA',
      REMIND_AFTER_MINUTES: '5',
      ESCALATION_CHANNEL_ID: 'C0ESCALATE',
      BREAKGLASS_ALLOWED: 'oncall',
      BREAKGLASS_ROLES: 'admin, incident-writer',
      BREAKGLASS_MAX_MINUTES: '60',
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config).toMatchObject({
      approverMention: [
        { type: 'user', id: 'U0ADA' },
        { type: 'usergroup', id: 'S0APPROVERS' },
      ],
      remindAfterMinutes: 5,
      escalationChannelId: 'C0ESCALATE',
      breakglass: { allowed: ['oncall'], roles: ['admin', 'incident-writer'], maxMinutes: 60 },
    });
  });

  it.each([
    ['APPROVER_MENTION', '@approvers'],
    ['REMIND_AFTER_MINUTES', '0'],
    ['ESCALATION_CHANNEL_ID', '#escalations'],
    ['BREAKGLASS_MAX_MINUTES', '1441'],
  ])('refuses %s=%s, naming the rule', (name, value) => {
    const problems = problemsOf({ ...minimal, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} must .*${value}`));
  });

  it('refuses break-glass half configured', () => {
    expect(problemsOf({ ...minimal, BREAKGLASS_ROLES: 'admin' })).toEqual([
      'BREAKGLASS_ALLOWED and BREAKGLASS_ROLES must be set together (both empty turns break-glass off)',
    ]);
  });
});
