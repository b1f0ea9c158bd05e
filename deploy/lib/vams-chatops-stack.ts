import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface VamsChatopsStackProps extends StackProps {
  /** The VAMS deployment's Cognito user pool, e.g. `us-east-1_AbCdEf123`. */
  readonly vamsUserPoolId: string;
  readonly vamsUserRolesTable: string;
  readonly vamsRolesTable: string;
  readonly vamsApiKeysTable: string;
  /** The Slack channel where requests are posted for approval. */
  readonly approvalChannelId: string;
  /** VAMS's AuthChanges log group: the bot's audit lines are sent there too. */
  readonly vamsAuthAuditLogGroup?: string;
  /** More of the bot's configuration variables (ADMIN_ROLES, REQUEST_TTL_HOURS, …), for all three functions. */
  readonly settings?: Readonly<Record<string, string>>;
  /** A directory holding the Lambda bundle `index.js` with the `http`, `worker` and `schedule` handlers. */
  readonly lambdaCodeDir: string;
}

/** A property the stack cannot be built with; the message says which and why. */
export class StackConfigError extends Error {
  readonly code = 'stack_config';
}

// The layout of src/backend/table-definitions.ts, which creates the same table for local runs.
const BOT_INDEX = 'gsi1';
// The one index of VAMS's API keys table that the bot queries (keys by owner).
const API_KEYS_OWNER_INDEX = 'userIdIndex';

/*
 * Each list is exactly what the bot sends: the Cognito commands of src/gateways, and for each
 * table the commands its stores (src/stores) send to it, a TransactWrite counted by the items in
 * it (Put → PutItem, ConditionCheck → ConditionCheckItem). DescribeTable is a start-up check
 * that Lambda skips.
 */
const COGNITO_READ_ACTIONS = ['cognito-idp:AdminGetUser', 'cognito-idp:ListUsers'];
// DescribeUserPool is not only a start-up check: a temporary password is generated to the pool's
// password policy, read when a request runs.
const COGNITO_EXECUTE_ACTIONS = [
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
const BOT_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];
// Grants and the last-admin guard write VAMS's rows in one transaction with the bot's own items.
const USER_ROLES_TABLE_ACTIONS = [
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const ROLES_TABLE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:Scan'];
// Keys are queried only through the owner index, never on the table itself.
const API_KEYS_TABLE_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];

const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

// Set by the stack from its own resources and properties; settings may not replace them.
const MANAGED_VARIABLES = [
  'BACKEND',
  'COGNITO_USER_POOL_ID',
  'VAMS_USER_ROLES_TABLE',
  'VAMS_ROLES_TABLE',
  'VAMS_API_KEYS_TABLE',
  'BOT_TABLE',
  'APPROVAL_CHANNEL_ID',
  'SLACK_SECRET_ARN',
  'VAMS_AUTH_AUDIT_LOG_GROUP',
  'NODE_OPTIONS',
];
// Environment variables are readable by anyone who may read the function's configuration.
const SECRET_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'];
// Lambda refuses these at deployment; refusing them here says so before anything is deployed.
const LAMBDA_RESERVED_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9a-zA-Z]+$/;
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

/** The region of a Cognito user pool, from its id (`us-east-1_AbCdEf123` → `us-east-1`). */
export function userPoolRegion(userPoolId: string): string {
  const region = USER_POOL_ID.exec(userPoolId)?.[1];
  if (!region) {
    throw new StackConfigError(
      `vamsUserPoolId must be a Cognito user pool id such as us-east-1_AbCdEf123 (got "${userPoolId}")`,
    );
  }
  return region;
}

function propertyProblems(props: VamsChatopsStackProps): string[] {
  const problems: string[] = [];
  for (const [name, value] of [
    ['vamsUserRolesTable', props.vamsUserRolesTable],
    ['vamsRolesTable', props.vamsRolesTable],
    ['vamsApiKeysTable', props.vamsApiKeysTable],
  ] as const) {
    if (!TABLE_NAME.test(value)) {
      problems.push(`${name} must be a DynamoDB table name (got "${value}")`);
    }
  }
  if (!CHANNEL_ID.test(props.approvalChannelId)) {
    problems.push(
      `approvalChannelId must be a Slack channel id such as C0123ABCD (got "${props.approvalChannelId}")`,
    );
  }
  if (
    props.vamsAuthAuditLogGroup !== undefined &&
    !LOG_GROUP_NAME.test(props.vamsAuthAuditLogGroup)
  ) {
    problems.push(
      `vamsAuthAuditLogGroup must be a CloudWatch Logs group name (got "${props.vamsAuthAuditLogGroup}")`,
    );
  }
  for (const name of Object.keys(props.settings ?? {})) {
    if (!VARIABLE_NAME.test(name)) {
      problems.push(`settings: "${name}" is not a configuration variable name`);
    } else if (MANAGED_VARIABLES.includes(name)) {
      problems.push(`settings: ${name} is set by the stack itself (from its own properties)`);
    } else if (name === 'SLACK_APP_TOKEN') {
      problems.push(
        'settings: SLACK_APP_TOKEN is for Socket Mode; on Lambda, Slack reaches the bot over HTTP',
      );
    } else if (SECRET_VARIABLES.includes(name)) {
      problems.push(
        `settings: ${name} belongs in the Slack secret, never in the functions' environment`,
      );
    } else if (LAMBDA_RESERVED_VARIABLES.includes(name) || name.startsWith('AWS_LAMBDA_')) {
      problems.push(`settings: ${name} is reserved by Lambda`);
    }
  }
  return problems;
}

/**
 * An IAM resource the way cdk-nag names it in a finding: `Ref`s and `GetAtt`s in angle brackets.
 * Each wildcard acknowledged is then exactly the one this stack wrote, and any other stays a
 * finding.
 */
function nagResourceName(stack: Stack, arn: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (Array.isArray(node)) return node.map(flatten).join('');
    if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      const join = record['Fn::Join'];
      if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
        return join[1].map(flatten).join(join[0]);
      }
      const getAtt = record['Fn::GetAtt'];
      if (Array.isArray(getAtt)) return `<${getAtt.map(flatten).join('.')}>`;
      if ('Ref' in record) return `<${flatten(record.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return flatten(stack.resolve(arn));
}

interface FunctionSpec {
  id: 'Http' | 'Worker' | 'Schedule';
  handler: 'http' | 'worker' | 'schedule';
  description: string;
  timeout: Duration;
  memorySize: number;
  statements: iam.PolicyStatement[];
  /** Wildcard resources in `statements`, each with why it cannot be narrower. */
  wildcards: { arn: string; reason: string }[];
  /** Asynchronous invocations only. */
  retryAttempts?: number;
  maxEventAge?: Duration;
}

/**
 * vams-chatops on Lambda next to an existing VAMS deployment: its own table and Slack secret,
 * and three functions from one bundle. `http` answers Slack and records decisions, `worker`
 * runs approved requests from the table's stream, `schedule` does each minute's sweeps.
 */
export class VamsChatopsStack extends Stack {
  readonly botTable: dynamodb.Table;
  readonly slackSecret: secretsmanager.Secret;
  readonly httpFunction: lambda.Function;
  readonly workerFunction: lambda.Function;
  readonly scheduleFunction: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;
  readonly workerFailures: sqs.Queue;

  private readonly bundle: lambda.Code;
  private readonly functionEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: VamsChatopsStackProps) {
    super(scope, id, props);
    const poolRegion = userPoolRegion(props.vamsUserPoolId);
    const problems = propertyProblems(props);
    // The bot calls Cognito and DynamoDB in its own region: VAMS's pool and tables must be there.
    if (!Token.isUnresolved(this.region) && this.region !== poolRegion) {
      problems.push(
        `the stack is in ${this.region} but the VAMS user pool ${props.vamsUserPoolId} is in ${poolRegion}; deploy to ${poolRegion}`,
      );
    }
    if (problems.length > 0) throw new StackConfigError(problems.join('\n'));

    this.botTable = new dynamodb.Table(this, 'BotTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // The worker needs only what an item became: whether it is an approved request, and its id.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Requests, their audit trail and running grants outlive any one deployment of the bot.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.botTable.addGlobalSecondaryIndex({
      indexName: BOT_INDEX,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.slackSecret = new secretsmanager.Secret(this, 'SlackSecret', {
      description:
        'Slack credentials of vams-chatops: {"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"}',
      // A random signing secret until the real one is put in: nobody can sign a request that
      // the bot would accept, as anyone could with a known placeholder. Changing this template
      // later makes CloudFormation generate the value anew, over the credentials put in by hand.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ SLACK_BOT_TOKEN: 'xoxb-put-the-bot-token-here' }),
        generateStringKey: 'SLACK_SIGNING_SECRET',
        excludePunctuation: true,
        passwordLength: 40,
      },
    });
    Validations.of(this.slackSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The Slack bot token and signing secret are issued by Slack and rotated in the Slack app settings; no rotation Lambda can obtain new ones.',
    });

    this.workerFailures = new sqs.Queue(this, 'WorkerFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.workerFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself where the stream mapping sends what it gave up on (stream positions, not requests); nothing consumes it, so a queue behind it would never receive a message.',
    });

    const tableArn = (name: string) =>
      this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: name });
    const userPoolArn = this.formatArn({
      service: 'cognito-idp',
      region: poolRegion,
      resource: 'userpool',
      resourceName: props.vamsUserPoolId,
    });
    const dataStatements = [
      new iam.PolicyStatement({
        sid: 'BotTable',
        actions: BOT_TABLE_ACTIONS,
        resources: [this.botTable.tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'BotTableIndex',
        actions: ['dynamodb:Query'],
        resources: [`${this.botTable.tableArn}/index/${BOT_INDEX}`],
      }),
      new iam.PolicyStatement({
        sid: 'VamsUserRolesTable',
        actions: USER_ROLES_TABLE_ACTIONS,
        resources: [tableArn(props.vamsUserRolesTable)],
      }),
      new iam.PolicyStatement({
        sid: 'VamsRolesTable',
        actions: ROLES_TABLE_ACTIONS,
        resources: [tableArn(props.vamsRolesTable)],
      }),
      new iam.PolicyStatement({
        sid: 'VamsApiKeysTable',
        actions: API_KEYS_TABLE_ACTIONS,
        resources: [tableArn(props.vamsApiKeysTable)],
      }),
      new iam.PolicyStatement({
        sid: 'VamsApiKeysOwnerIndex',
        actions: ['dynamodb:Query'],
        resources: [`${tableArn(props.vamsApiKeysTable)}/index/${API_KEYS_OWNER_INDEX}`],
      }),
      new iam.PolicyStatement({
        sid: 'SlackSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.slackSecret.secretArn],
      }),
    ];
    const audit = props.vamsAuthAuditLogGroup
      ? this.logGroupArns(props.vamsAuthAuditLogGroup)
      : undefined;
    if (audit) {
      dataStatements.push(
        new iam.PolicyStatement({
          sid: 'VamsAuthAuditLog',
          actions: LOG_ACTIONS,
          resources: [audit.group, audit.streams],
        }),
      );
    }
    const auditWildcards = audit
      ? [
          {
            arn: audit.streams,
            reason:
              "The bot creates its own stream in VAMS's AuthChanges log group when it first writes; the statement is bounded to that one group.",
          },
        ]
      : [];
    const cognitoRead = new iam.PolicyStatement({
      sid: 'VamsUserPoolRead',
      actions: COGNITO_READ_ACTIONS,
      resources: [userPoolArn],
    });
    const cognitoAll = new iam.PolicyStatement({
      sid: 'VamsUserPool',
      actions: [...COGNITO_READ_ACTIONS, ...COGNITO_EXECUTE_ACTIONS].sort(),
      resources: [userPoolArn],
    });

    this.bundle = lambda.Code.fromAsset(props.lambdaCodeDir);
    this.functionEnvironment = {
      ...props.settings,
      BACKEND: 'aws',
      COGNITO_USER_POOL_ID: props.vamsUserPoolId,
      VAMS_USER_ROLES_TABLE: props.vamsUserRolesTable,
      VAMS_ROLES_TABLE: props.vamsRolesTable,
      VAMS_API_KEYS_TABLE: props.vamsApiKeysTable,
      BOT_TABLE: this.botTable.tableName,
      APPROVAL_CHANNEL_ID: props.approvalChannelId,
      // The ARN only: the function reads the credentials at start, so they never sit in its
      // configuration.
      SLACK_SECRET_ARN: this.slackSecret.secretArn,
      NODE_OPTIONS: '--enable-source-maps',
      ...(props.vamsAuthAuditLogGroup
        ? { VAMS_AUTH_AUDIT_LOG_GROUP: props.vamsAuthAuditLogGroup }
        : {}),
    };

    // The DynamoDB statements are the same for all three: `http` writes too (a grant released
    // at its holder's word ends at once, a link is recorded, a decision is written with its
    // audit lines), and its paths reach every store.
    //
    // Cognito is not: every Cognito write is a step of a request kind, and steps run only
    // where a request is executed. With the bot composed for Lambda (decisions recorded, not
    // run), that is the worker (an approved request from the stream) and the schedule
    // (executions a dead run left behind); `http` only reads users.
    this.httpFunction = this.botFunction({
      id: 'Http',
      handler: 'http',
      description: "vams-chatops: Slack's requests (commands, buttons, dialogs, App Home)",
      // Slack waits 3 s for an answer; past 10 s nothing can still be useful to it.
      timeout: Duration.seconds(10),
      memorySize: 1024,
      statements: [cognitoRead, ...dataStatements],
      wildcards: auditWildcards,
    });
    // Slack signs every request and the bot checks each signature before anything else, so the
    // URL needs no AWS authorisation (Slack could not sign one with SigV4 anyway).
    this.functionUrl = this.httpFunction.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
    });

    const streamWildcard = `${this.botTable.tableArn}/stream/*`;
    this.workerFunction = this.botFunction({
      id: 'Worker',
      handler: 'worker',
      description: 'vams-chatops: runs approved requests, fed by the bot table stream',
      // A step may wait long (Cognito backing off, a Slack DM held by rate limits); the run's
      // lease is renewed while it runs, so the whole Lambda maximum is usable.
      timeout: Duration.minutes(15),
      memorySize: 1024,
      statements: [
        cognitoAll,
        ...dataStatements,
        new iam.PolicyStatement({
          sid: 'BotTableStreamRead',
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [this.botTableStreamArn()],
        }),
        new iam.PolicyStatement({
          sid: 'BotTableStreamList',
          actions: ['dynamodb:ListStreams'],
          resources: [streamWildcard],
        }),
        new iam.PolicyStatement({
          sid: 'WorkerFailures',
          actions: ['sqs:SendMessage'],
          resources: [this.workerFailures.queueArn],
        }),
      ],
      wildcards: [
        ...auditWildcards,
        {
          arn: streamWildcard,
          reason:
            "ListStreams is granted on the bot table's streams as AWS documents for stream readers; a stream's label is not known before the table exists.",
        },
      ],
    });
    new lambda.CfnEventSourceMapping(this, 'WorkerStream', {
      functionName: this.workerFunction.functionName,
      eventSourceArn: this.botTableStreamArn(),
      startingPosition: 'LATEST',
      batchSize: 10,
      bisectBatchOnFunctionError: true,
      // Bounded: the minute sweep starts any approved request that no run started, so a batch
      // given up on delays a request, it does not lose it.
      maximumRetryAttempts: 5,
      functionResponseTypes: ['ReportBatchItemFailures'],
      destinationConfig: { onFailure: { destination: this.workerFailures.queueArn } },
      filterCriteria: {
        filters: [
          {
            pattern: JSON.stringify({
              dynamodb: { NewImage: { entity: { S: ['request'] }, status: { S: ['approved'] } } },
            }),
          },
        ],
      },
    });

    this.scheduleFunction = this.botFunction({
      id: 'Schedule',
      handler: 'schedule',
      description: "vams-chatops: each minute's sweeps (expiry, reminders, grant ends, recovery)",
      timeout: Duration.minutes(5),
      memorySize: 1024,
      statements: [cognitoAll, ...dataStatements],
      wildcards: auditWildcards,
      // The next minute's run does the same passes again; retries would only stack runs up.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    });
    // No reserved concurrency: runs that overlap are safe, each item is taken under a lease.
    new events.Rule(this, 'EveryMinute', {
      description: 'vams-chatops sweeps',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.scheduleFunction, { retryAttempts: 0 })],
    });

    new CfnOutput(this, 'SlackRequestUrl', {
      description:
        'The Slack app manifest request_url (slash command, interactivity, events); the bot serves this path only',
      value: `${this.functionUrl.url}slack/events`,
    });
    new CfnOutput(this, 'SlackSecretArn', {
      description:
        'Put {"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"} in this secret after the first deployment',
      value: this.slackSecret.secretArn,
    });
    new CfnOutput(this, 'BotTableName', {
      description: "The bot's own table (requests, audit trail, grants, links)",
      value: this.botTable.tableName,
    });
    new CfnOutput(this, 'WorkerFailureQueueUrl', {
      description: 'Stream batches the worker gave up on',
      value: this.workerFailures.queueUrl,
    });
  }

  private botTableStreamArn(): string {
    const arn = this.botTable.tableStreamArn;
    if (!arn) throw new StackConfigError('the bot table has no stream');
    return arn;
  }

  private logGroupArns(name: string): { group: string; streams: string } {
    const group = this.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return { group, streams: `${group}:log-stream:*` };
  }

  private botFunction(spec: FunctionSpec): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${spec.id}Logs`, {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const ownLogs = this.logGroupArns(logGroup.logGroupName);
    // Its own role each, with every statement written here: no managed policy, nothing on `*`.
    const role = new iam.Role(this, `${spec.id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `vams-chatops ${spec.handler} function`,
      inlinePolicies: {
        Bot: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'OwnLogs',
              actions: LOG_ACTIONS,
              resources: [ownLogs.group, ownLogs.streams],
            }),
            ...spec.statements,
          ],
        }),
      },
    });
    const wildcards = [
      {
        arn: ownLogs.streams,
        reason:
          "Lambda names each log stream when an execution environment starts; the statement is bounded to this function's own log group.",
      },
      ...spec.wildcards,
    ];
    for (const wildcard of wildcards) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(this, wildcard.arn)}]`,
        reason: wildcard.reason,
      });
    }
    const fn = new lambda.Function(this, spec.id, {
      description: spec.description,
      // Node.js 20 on Lambda is deprecated; the bundle (syntax of Node 20, the oldest the bot
      // supports) runs unchanged on the newest runtime.
      runtime: lambda.Runtime.NODEJS_24_X,
      code: this.bundle,
      handler: `index.${spec.handler}`,
      role,
      logGroup,
      timeout: spec.timeout,
      memorySize: spec.memorySize,
      environment: this.functionEnvironment,
      ...(spec.retryAttempts !== undefined ? { retryAttempts: spec.retryAttempts } : {}),
      ...(spec.maxEventAge !== undefined ? { maxEventAge: spec.maxEventAge } : {}),
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 24 is a long-term-support line; the bundle uses only what Node 20 offers, so it runs there, while the newer 26 line has not been tried with it.',
    });
    return fn;
  }
}
