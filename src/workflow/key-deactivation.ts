import { logAuthChange } from './auth-changes';
import type { StepContext } from './steps';

/** The part of VAMS's API keys table that taking someone's keys away needs. */
export interface KeyDeactivationPorts {
  keysOf(userId: string): Promise<{ apiKeyId: string; active: boolean }[]>;
  deactivate(apiKeyId: string, at: Date): Promise<'deactivated' | 'already inactive'>;
}

/**
 * Deactivates every active API key of `userId` as VAMS revokes one (`isActive` becomes 'false',
 * the item stays), each logged as VAMS's `apiKeyUpdate`. Returns how many were active.
 */
export async function deactivateKeysOf(
  apiKeys: KeyDeactivationPorts,
  userId: string,
  context: StepContext,
): Promise<number> {
  const active = (await apiKeys.keysOf(userId)).filter((key) => key.active);
  for (const key of active) {
    await apiKeys.deactivate(key.apiKeyId, context.now);
    logAuthChange(context.log, 'apiKeyUpdate', context.request, {
      userId,
      apiKeyId: key.apiKeyId,
      isActive: 'false',
    });
  }
  return active.length;
}
