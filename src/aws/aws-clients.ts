import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** SDK clients, created once at start and shared by every adapter. */
export interface AwsClients {
  dynamo: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  cognito: CognitoIdentityProviderClient;
  destroy(): void;
}

export interface AwsClientOptions {
  region: string;
  /** Set for the embedded emulators; otherwise the SDK's own AWS_ENDPOINT_URL_* variables apply. */
  dynamoEndpoint?: string;
  cognitoEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

// Bounded so that a stuck connection fails a request readably instead of hanging it. The
// connection timeout also runs while a call waits for a free socket, so the pool is larger than
// the SDK's 50: hundreds of requests approved at once must not fail waiting for one.
const requestHandler = {
  connectionTimeout: 3000,
  requestTimeout: 15_000,
  httpAgent: { keepAlive: true, maxSockets: 256 },
  httpsAgent: { keepAlive: true, maxSockets: 256 },
};

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const common = {
    region: options.region,
    maxAttempts: 3,
    requestHandler,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const dynamo = new DynamoDBClient({
    ...common,
    ...(options.dynamoEndpoint ? { endpoint: options.dynamoEndpoint } : {}),
  });
  const cognito = new CognitoIdentityProviderClient({
    ...common,
    ...(options.cognitoEndpoint ? { endpoint: options.cognitoEndpoint } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    dynamo,
    documents,
    cognito,
    destroy: () => {
      dynamo.destroy();
      cognito.destroy();
    },
  };
}
