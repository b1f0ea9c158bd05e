import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CognitoAdmin } from '../../src/gateways/cognito-admin.gateway';
import { onboardingExecutor } from '../../src/kinds/onboarding/steps';
import { createLogger } from '../../src/logging';
import { VamsApiKeyStore } from '../../src/stores/vams-api-keys.store';
import { loseAnswers } from '../support/lost-answers';
import { createTestDeployment, type TestDeployment } from '../support/vams-deployment';

const region = process.env.AWS_REGION ?? 'us-east-1';

describe('writes whose answers are lost, then retried by the SDK', () => {
  let deployment: TestDeployment;
  beforeAll(async () => {
    deployment = await createTestDeployment();
  });
  afterAll(() => deployment.destroy());

  it('onboarding counts a Cognito user its own lost create made as created, not as taken', async () => {
    const cognito = new CognitoIdentityProviderClient({ region });
    loseAnswers(cognito, 'AdminCreateUserCommand');
    const admin = new CognitoAdmin(cognito, deployment.userPoolId);
    const unused = () => Promise.reject(new Error('not used'));
    const executor = onboardingExecutor({
      cognito: admin,
      userRoles: { addRole: unused },
      courier: {
        recipientForEmail: unused,
        recipientRefusal: unused,
        sendTemporaryPassword: unused,
        retireSecretDms: unused,
      },
      delivery: 'email',
    });
    const request = {
      id: 'RLOSTCREATE',
      kind: 'user.create' as const,
      params: { userId: 'lost-answer', email: 'lost-answer@example.com', roles: ['viewer'] },
      reason: 'test',
      requester: { slackUserId: 'U0MAX', vamsUserId: 'max@example.com' },
      subject: 'lost-answer',
      status: 'executing' as const,
      approvals: [],
      requiredApprovals: 1,
      preflight: [],
      createdAt: new Date().toISOString(),
      expiresAt: new Date().toISOString(),
      steps: [],
      version: 3,
    };
    const create = executor.steps(request).find((step) => step.name === 'cognito-create');
    const context = {
      request,
      now: new Date(),
      log: createLogger('silent'),
      fence: async () => {},
      resumed: false,
    };
    await expect(create?.run(context)).resolves.toBe('created; Cognito emails the invitation');
    const made = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: deployment.userPoolId, Username: 'lost-answer' }),
    );
    expect(made.UserAttributes?.find((attribute) => attribute.Name === 'email')?.Value).toBe(
      'lost-answer@example.com',
    );
    // Someone else's user under that ID is still "taken".
    await deployment.addCognitoUser('taken-meanwhile', 'someone@example.com');
    const admin2 = new CognitoAdmin(cognito, deployment.userPoolId);
    expect(
      await admin2.createUser({
        userId: 'taken-meanwhile',
        email: 'x@example.com',
        suppressInvitation: false,
      }),
    ).toBe('exists');
    cognito.destroy();
  });

  it('a key put whose answer was lost finds its own item, and one with another hash still fails', async () => {
    const dynamo = new DynamoDBClient({ region });
    loseAnswers(dynamo, 'PutItemCommand');
    const documents = DynamoDBDocumentClient.from(dynamo);
    const keys = new VamsApiKeyStore(documents, deployment.tables.apiKeys);
    const item = {
      apiKeyId: 'lost-put',
      apiKeyName: 'lost put',
      apiKeyHash: 'a'.repeat(64),
      description: '',
      userId: 'bob@example.com',
      createdBy: 'bob@example.com',
      expiresAt: '',
    };
    await expect(keys.putInactive(item, new Date())).resolves.toBeUndefined();
    const stored = await documents.send(
      new GetCommand({ TableName: deployment.tables.apiKeys, Key: { apiKeyId: 'lost-put' } }),
    );
    expect(stored.Item).toMatchObject({ apiKeyHash: 'a'.repeat(64), isActive: 'false' });
    await expect(
      keys.putInactive({ ...item, apiKeyHash: 'b'.repeat(64) }, new Date()),
    ).rejects.toThrow('conditional request failed');
    dynamo.destroy();
  });
});
