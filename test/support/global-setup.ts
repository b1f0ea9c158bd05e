import { startLocalServices } from '../../src/backend/local-services';

/**
 * One DynamoDB Local and one moto per test run. Test files reach them the way the bot reaches
 * AWS in BACKEND=aws mode: through the SDK's own endpoint variables.
 */
export default async function globalSetup(): Promise<void> {
  const services = await startLocalServices();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: services.cognitoEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // The SDK's notice about future Node versions; the versions are pinned in package-lock.json.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  Reflect.set(globalThis, '__vamsLocalServices', services);
}
