import type { LocalServices } from '../../src/backend/local-services';

function isLocalServices(value: unknown): value is LocalServices {
  return typeof value === 'object' && value !== null && 'stop' in value;
}

export default async function globalTeardown(): Promise<void> {
  const services: unknown = Reflect.get(globalThis, '__vamsLocalServices');
  if (isLocalServices(services)) await services.stop();
}
