import { sdkEnvironment, startLocalServices } from '../../src/backend/local-services';

/**
 * One DynamoDB Local and one moto per test run. Test files reach them the way the bot reaches
 * AWS in BACKEND=aws mode: through the SDK's own endpoint variables.
 */
export default async function globalSetup(): Promise<void> {
  const services = await startLocalServices();
  Object.assign(process.env, sdkEnvironment(services));
  Reflect.set(globalThis, '__vamsLocalServices', services);
}
