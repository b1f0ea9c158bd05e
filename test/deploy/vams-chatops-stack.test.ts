import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EVENTS_PATH } from '../../src/slack/slack-runtime';
import {
  ACCOUNT,
  buildStack,
  CONTEXT,
  lambdaCodeDir,
  logicalId,
  REGION,
  render,
  type Statement,
  statementsOf,
} from './stack-fixture';

type Resources = Record<string, Record<string, unknown>>;

const code = lambdaCodeDir();
afterAll(() => code.remove());

const { stack } = buildStack(CONTEXT, code.dir);
const template = Template.fromStack(stack);
const json = template.toJSON();
const resources: Resources = json.Resources;

const tableId = logicalId(resources, 'AWS::DynamoDB::Table', 'BotTable');
const secretId = logicalId(resources, 'AWS::SecretsManager::Secret', 'SlackSecret');
const queueId = logicalId(resources, 'AWS::SQS::Queue', 'WorkerFailures');
const ids = (name: 'Http' | 'Worker' | 'Schedule') => ({
  fn: logicalId(resources, 'AWS::Lambda::Function', name),
  role: logicalId(resources, 'AWS::IAM::Role', `${name}Role`),
  logs: logicalId(resources, 'AWS::Logs::LogGroup', `${name}Logs`),
});
const http = ids('Http');
const worker = ids('Worker');
const schedule = ids('Schedule');

const arn = (service: string, resource: string, region = REGION) =>
  `arn:<AWS::Partition>:${service}:${region}:${ACCOUNT}:${resource}`;
const table = (name: string) => arn('dynamodb', `table/${name}`);
const logGroup = (name: string) => arn('logs', `log-group:${name}`);

const propertiesOf = (id: string): Record<string, unknown> => {
  const properties = resources[id]?.Properties;
  if (typeof properties !== 'object' || properties === null) throw new Error(`no ${id}`);
  return properties as Record<string, unknown>;
};

function roleStatements(roleId: string, within: Resources = resources): Statement[] {
  const policies = (within[roleId]?.Properties as { Policies?: unknown } | undefined)?.Policies;
  if (!Array.isArray(policies) || policies.length !== 1) {
    throw new Error(`${roleId} should hold exactly one inline policy`);
  }
  return statementsOf(policies[0].PolicyDocument).sort((a, b) => a.sid.localeCompare(b.sid));
}

const allow = (sid: string, actions: string[], resources: string[]): Statement => ({
  sid,
  effect: 'Allow',
  actions: [...actions].sort(),
  resources: [...resources].sort(),
});

const COGNITO_READ = ['cognito-idp:AdminGetUser', 'cognito-idp:ListUsers'];
const COGNITO_ALL = [
  ...COGNITO_READ,
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminDeleteUserAttributes',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminSetUserPassword',
  'cognito-idp:AdminUpdateUserAttributes',
  'cognito-idp:AdminUserGlobalSignOut',
  'cognito-idp:DescribeUserPool',
];
const userPool = arn('cognito-idp', 'userpool/us-east-1_Example1');

const dataStatements = [
  allow(
    'BotTable',
    [
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
    [`<${tableId}.Arn>`],
  ),
  allow('BotTableIndex', ['dynamodb:Query'], [`<${tableId}.Arn>/index/gsi1`]),
  allow(
    'VamsUserRolesTable',
    [
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
    ],
    [table('vams-user-roles')],
  ),
  allow('VamsRolesTable', ['dynamodb:BatchGetItem', 'dynamodb:Scan'], [table('vams-roles')]),
  allow(
    'VamsApiKeysTable',
    [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ],
    [table('vams-api-keys')],
  ),
  allow(
    'VamsApiKeysOwnerIndex',
    ['dynamodb:Query'],
    [`${table('vams-api-keys')}/index/userIdIndex`],
  ),
  allow('SlackSecret', ['secretsmanager:GetSecretValue'], [`<${secretId}>`]),
  allow(
    'VamsAuthAuditLog',
    ['logs:CreateLogStream', 'logs:PutLogEvents'],
    [logGroup('/vams/AuthChanges'), `${logGroup('/vams/AuthChanges')}:log-stream:*`],
  ),
];
const ownLogs = (logsId: string) =>
  allow(
    'OwnLogs',
    ['logs:CreateLogStream', 'logs:PutLogEvents'],
    [logGroup(`<${logsId}>`), `${logGroup(`<${logsId}>`)}:log-stream:*`],
  );
const bySid = (statements: Statement[]) =>
  [...statements].sort((a, b) => a.sid.localeCompare(b.sid));

describe('IAM', () => {
  it('gives http the data statements, its own logs and only Cognito reads', () => {
    expect(roleStatements(http.role)).toEqual(
      bySid([
        ownLogs(http.logs),
        allow('VamsUserPoolRead', COGNITO_READ, [userPool]),
        ...dataStatements,
      ]),
    );
  });

  it('gives the worker the Cognito actions requests run, the stream and its failure queue', () => {
    expect(roleStatements(worker.role)).toEqual(
      bySid([
        ownLogs(worker.logs),
        allow('VamsUserPool', COGNITO_ALL, [userPool]),
        ...dataStatements,
        allow(
          'BotTableStreamRead',
          ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          [`<${tableId}.StreamArn>`],
        ),
        allow('BotTableStreamList', ['dynamodb:ListStreams'], [`<${tableId}.Arn>/stream/*`]),
        allow('WorkerFailures', ['sqs:SendMessage'], [`<${queueId}.Arn>`]),
      ]),
    );
  });

  it('gives the schedule what the worker has, without the stream and the queue', () => {
    expect(roleStatements(schedule.role)).toEqual(
      bySid([
        ownLogs(schedule.logs),
        allow('VamsUserPool', COGNITO_ALL, [userPool]),
        ...dataStatements,
      ]),
    );
  });

  it('names the pool and the tables in the region of the pool, taken from its id', () => {
    const { stack: west } = buildStack(
      { ...CONTEXT, vamsUserPoolId: 'eu-west-1_Example2' },
      code.dir,
    );
    const westResources: Resources = Template.fromStack(west).toJSON().Resources;
    const statements = roleStatements(
      logicalId(westResources, 'AWS::IAM::Role', 'WorkerRole'),
      westResources,
    );
    expect(west.region).toBe('eu-west-1');
    expect(statements.find((statement) => statement.sid === 'VamsUserPool')?.resources).toEqual([
      arn('cognito-idp', 'userpool/eu-west-1_Example2', 'eu-west-1'),
    ]);
    expect(statements.find((statement) => statement.sid === 'VamsRolesTable')?.resources).toEqual([
      arn('dynamodb', 'table/vams-roles', 'eu-west-1'),
    ]);
  });

  it('has no * resource, no * action, no managed policy and no policy outside the roles', () => {
    const roleIds = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(roleIds.sort()).toEqual([http.role, schedule.role, worker.role].sort());
    for (const roleId of roleIds) {
      const properties = propertiesOf(roleId);
      expect(properties.ManagedPolicyArns).toBeUndefined();
      expect(properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
          },
        ],
      });
      for (const statement of roleStatements(roleId)) {
        expect(statement.effect).toBe('Allow');
        for (const resource of statement.resources) expect(resource).not.toBe('*');
        for (const action of statement.actions) expect(action).not.toContain('*');
      }
    }
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(JSON.stringify(json)).not.toMatch(/arn:[^"]*:iam::aws:policy\//);
  });

  it('grants DescribeTable nowhere (the start-up check is skipped on Lambda)', () => {
    for (const role of [http, worker, schedule]) {
      const actions = roleStatements(role.role).flatMap((statement) => statement.actions);
      expect(actions).not.toContain('dynamodb:DescribeTable');
      expect(actions).not.toContain('dynamodb:CreateTable');
    }
  });

  it('leaves the audit log group out when none is given', () => {
    const { vamsAuthAuditLogGroup: _omitted, ...withoutAudit } = CONTEXT;
    const bare = Template.fromStack(buildStack(withoutAudit, code.dir).stack);
    const bareResources: Resources = bare.toJSON().Resources;
    for (const name of ['HttpRole', 'WorkerRole', 'ScheduleRole']) {
      const roleId = logicalId(bareResources, 'AWS::IAM::Role', name);
      const sids = roleStatements(roleId, bareResources).map((statement) => statement.sid);
      expect(sids).not.toContain('VamsAuthAuditLog');
      expect(sids).toContain('SlackSecret');
    }
    for (const fn of Object.values(bare.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.VAMS_AUTH_AUDIT_LOG_GROUP).toBeUndefined();
    }
  });
});

describe('bot table', () => {
  it('has the layout of the bot table definition, its stream, TTL, PITR and protection', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayEquals([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });
});

describe('Slack secret', () => {
  it('holds a placeholder token and a generated signing secret', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ SLACK_BOT_TOKEN: 'xoxb-put-the-bot-token-here' }),
        GenerateStringKey: 'SLACK_SIGNING_SECRET',
      },
    });
  });
});

describe('functions', () => {
  const environment = {
    ADMIN_ROLES: 'vams-admin',
    MANAGER_ROLES: 'vams-manager',
    REQUEST_TTL_HOURS: '48',
    BACKEND: 'aws',
    COGNITO_USER_POOL_ID: 'us-east-1_Example1',
    VAMS_USER_ROLES_TABLE: 'vams-user-roles',
    VAMS_ROLES_TABLE: 'vams-roles',
    VAMS_API_KEYS_TABLE: 'vams-api-keys',
    BOT_TABLE: { Ref: tableId },
    APPROVAL_CHANNEL_ID: 'C0APPROVALS',
    SLACK_SECRET_ARN: { Ref: secretId },
    NODE_OPTIONS: '--enable-source-maps',
    VAMS_AUTH_AUDIT_LOG_GROUP: '/vams/AuthChanges',
  };

  it.each([
    ['http', http, 10, 1024],
    ['worker', worker, 900, 1024],
    ['schedule', schedule, 300, 1024],
  ] as const)(
    '%s: Node.js 24, its handler, role, log group and environment',
    (handler, ids, timeout, memory) => {
      expect(propertiesOf(ids.fn)).toEqual({
        Code: expect.anything(),
        Description: expect.any(String),
        Runtime: 'nodejs24.x',
        Handler: `index.${handler}`,
        Role: { 'Fn::GetAtt': [ids.role, 'Arn'] },
        LoggingConfig: { LogGroup: { Ref: ids.logs } },
        Timeout: timeout,
        MemorySize: memory,
        Environment: { Variables: environment },
      });
      expect(resources[ids.logs]).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: { RetentionInDays: 365 },
      });
    },
  );

  it('are three, from one asset', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    const keys = new Set(functions.map((fn) => JSON.stringify(fn.Properties.Code)));
    expect(keys.size).toBe(1);
  });

  it('never carry a Slack credential in their environment', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const variables: Record<string, unknown> = fn.Properties.Environment.Variables;
      for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']) {
        expect(variables[name]).toBeUndefined();
      }
      const text = JSON.stringify(variables);
      expect(text).not.toContain('xoxb-');
      expect(text).not.toContain('xapp-');
      expect(variables.SLACK_SECRET_ARN).toEqual({ Ref: secretId });
    }
  });

  it('puts http behind a Function URL open to Slack, signed requests checked by the bot', () => {
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [http.fn, 'Arn'] },
    });
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (permission) => permission.Properties,
    );
    expect(permissions).toEqual(
      expect.arrayContaining([
        {
          Action: 'lambda:InvokeFunctionUrl',
          FunctionName: { 'Fn::GetAtt': [http.fn, 'Arn'] },
          FunctionUrlAuthType: 'NONE',
          Principal: '*',
        },
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [http.fn, 'Arn'] },
          InvokedViaFunctionUrl: true,
          Principal: '*',
        },
      ]),
    );
    // Nothing but the URL may invoke the worker or the schedule from outside.
    for (const permission of permissions) {
      if (permission.Principal === '*') {
        expect(permission.FunctionName).toEqual({ 'Fn::GetAtt': [http.fn, 'Arn'] });
      }
    }
  });

  it('runs the schedule every minute, without retries', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [schedule.fn, 'Arn'] },
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 0 },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: schedule.fn },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [schedule.fn, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: {
        'Fn::GetAtt': [logicalId(resources, 'AWS::Events::Rule', 'EveryMinute'), 'Arn'],
      },
    });
  });

  it('feeds the worker only approved requests from the stream, failures to the queue', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    const { FilterCriteria, ...rest } = mapping?.Properties ?? {};
    expect(rest).toEqual({
      FunctionName: { Ref: worker.fn },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'LATEST',
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(FilterCriteria.Filters).toHaveLength(1);
    expect(JSON.parse(FilterCriteria.Filters[0].Pattern)).toEqual({
      dynamodb: { NewImage: { entity: { S: ['request'] }, status: { S: ['approved'] } } },
    });
  });

  it('keeps the failure queue encrypted and reachable over TLS only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Principal: { AWS: '*' },
          }),
        ]),
      },
    });
  });
});

describe('outputs', () => {
  it('give the Slack request URL on the path the bot serves, the secret and the table', () => {
    const outputs = json.Outputs;
    expect(render(outputs.SlackRequestUrl.Value)).toBe(
      `<${logicalId(resources, 'AWS::Lambda::Url', 'HttpFunctionUrl')}.FunctionUrl>${EVENTS_PATH.slice(1)}`,
    );
    expect(outputs.SlackSecretArn.Value).toEqual({ Ref: secretId });
    expect(outputs.BotTableName.Value).toEqual({ Ref: tableId });
    expect(outputs.WorkerFailureQueueUrl.Value).toEqual({ Ref: queueId });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing left unacknowledged', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no error or warning annotation on the stack', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges each wildcard resource by itself, so that a new one is still found', () => {
    const { stack: other } = buildStack(CONTEXT, code.dir);
    other.workerFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['logs:PutLogEvents'],
        resources: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:elsewhere:*`],
      }),
    );
    const report = new AwsSolutionsChecks(undefined).validateScope(other);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([
      `AwsSolutions-IAM5[Resource::arn:aws:logs:${REGION}:${ACCOUNT}:log-group:elsewhere:*]`,
    ]);
  });

  it('is a synthesis gate: a finding nobody acknowledged fails the synth', () => {
    const { app, stack: other } = buildStack(CONTEXT, code.dir);
    new secretsmanager.Secret(other, 'Unacknowledged');
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
  });
});
