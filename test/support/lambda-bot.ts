import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Tuning } from '../../src/composition';
import { bootLambdaBot, handleHttp, type LambdaBot } from '../../src/lambda';
import { EVENTS_PATH } from '../../src/slack/slack-runtime';
import { SlackDriver } from './slack-driver';
import { SlackStandIn } from './slack-standin';
import { APPROVAL_CHANNEL, type TestBot } from './test-bot';
import { createTestDeployment } from './vams-deployment';

const BOT_TOKEN = 'xoxb-local-standin';

/** A Function URL event (payload 2.0) as AWS hands it to the `http` function. */
export function functionUrlEvent(
  headers: Record<string, string>,
  body: string,
  options: { path?: string; method?: string; base64?: boolean } = {},
) {
  const method = options.method ?? 'POST';
  const path = options.path ?? EVENTS_PATH;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
    requestContext: { http: { method, path }, timeEpoch: Date.now() },
  };
}

/** The Slack credentials in a Secrets Manager secret (moto), as the stack keeps them: its ARN. */
export async function createSlackSecret(signingSecret: string): Promise<string> {
  const secrets = new SecretsManagerClient({});
  try {
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: `vams-chatops-${randomBytes(4).toString('hex')}`,
        SecretString: JSON.stringify({
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: signingSecret,
        }),
      }),
    );
    if (!secret.ARN) throw new Error('Secrets Manager returned no ARN');
    return secret.ARN;
  } finally {
    secrets.destroy();
  }
}

/** A driver whose signed requests go to a Lambda `http` handler instead of over HTTP. */
export function lambdaDriver(
  slack: SlackStandIn,
  signingSecret: string,
  http: (
    event: ReturnType<typeof functionUrlEvent>,
  ) => Promise<{ statusCode: number; body: string }>,
): SlackDriver {
  return new SlackDriver({
    eventsUrl: `lambda:${EVENTS_PATH}`,
    signingSecret,
    slack,
    transport: async ({ headers, body }) => {
      const answer = await http(functionUrlEvent(headers, body));
      return { status: answer.statusCode, text: answer.body };
    },
  });
}

export interface LambdaTestBot extends TestBot {
  lambda: LambdaBot;
  /** The stream record DynamoDB would deliver for the request item as it is stored now. */
  streamRecordOf(requestId: string): Promise<DynamoDBStreamEvent>;
}

/**
 * The bot as the `http`, `worker` and `schedule` functions build it: Slack credentials read
 * from a Secrets Manager secret (moto), the VAMS tables and pool of a fresh deployment, and
 * signed Function URL events handed to the `http` handler in process.
 */
export async function startLambdaTestBot(
  env: Record<string, string> = {},
  tuning: Partial<Tuning> = {},
): Promise<LambdaTestBot> {
  const slack = await SlackStandIn.start();
  const deployment = await createTestDeployment();
  const signingSecret = randomBytes(16).toString('hex');
  const secretArn = await createSlackSecret(signingSecret);
  const logs: string[] = [];
  const lambda = await bootLambdaBot(
    {
      ...deployment.env,
      SLACK_SECRET_ARN: secretArn,
      SLACK_API_URL: slack.apiUrl,
      APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
      LOG_LEVEL: 'debug',
      ...env,
    },
    { logDestination: { write: (line: string) => logs.push(line) }, tuning },
  );
  const driver = lambdaDriver(slack, signingSecret, (event) => handleHttp(lambda, event));
  const { workflow, sweeps } = lambda.bot;
  return {
    lambda,
    app: {
      port: 0,
      backend: lambda.backend,
      workflow,
      sweeps,
      stop: () => lambda.stop(),
    },
    slack,
    driver,
    deployment,
    logs,
    baseUrl: 'lambda:',
    signingSecret,
    streamRecordOf: async (requestId) => {
      const stored = await deployment.clients.dynamo.send(
        new GetItemCommand({
          TableName: deployment.tables.bot,
          Key: { pk: { S: `REQ#${requestId}` }, sk: { S: 'REQ' } },
        }),
      );
      if (!stored.Item) throw new Error(`request ${requestId} is not in the bot table`);
      const record: DynamoDBRecord = {
        eventID: randomBytes(8).toString('hex'),
        eventName: 'MODIFY',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: { pk: { S: `REQ#${requestId}` }, sk: { S: 'REQ' } },
          // The stream's attribute values have the same shape as the SDK's.
          NewImage: stored.Item as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
          SequenceNumber: String(Date.now()),
          StreamViewType: 'NEW_IMAGE',
        },
      };
      return { Records: [record] };
    },
    stop: async () => {
      await lambda.stop();
      await slack.stop();
      deployment.destroy();
      const leaked = [signingSecret, BOT_TOKEN].filter((value) =>
        logs.some((line) => line.includes(value)),
      );
      if (leaked.length > 0) throw new Error(`${leaked.length} secret(s) appeared in the logs`);
    },
  };
}
