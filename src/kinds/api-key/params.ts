import { z } from 'zod';

/**
 * A new VAMS API key. Its id is chosen when the request is filed, so a step interrupted by a
 * crash can find what it wrote; its value exists only while the step runs.
 */
export const apiKeyParams = z.object({
  apiKeyId: z.string(),
  ownerUserId: z.string(),
  name: z.string(),
  description: z.string(),
  /** As stored: `YYYY-MM-DDTHH:MM:SSZ`. */
  expiresAt: z.string(),
  /** The Slack user who receives the value by DM: the owner, or the admin who asked for it. */
  deliverTo: z.string(),
});
export type ApiKeyParams = z.infer<typeof apiKeyParams>;

/** A replacement key with the old one's owner and description; the old one goes afterwards. */
export const apiKeyRotationParams = apiKeyParams.extend({
  replacesApiKeyId: z.string(),
  replacesName: z.string(),
});
export type ApiKeyRotationParams = z.infer<typeof apiKeyRotationParams>;

/** A later expiry (and perhaps a new description) for an existing key: needs an approval. */
export const apiKeyUpdateParams = z.object({
  apiKeyId: z.string(),
  ownerUserId: z.string(),
  name: z.string(),
  description: z.string(),
  /** As stored: `YYYY-MM-DDTHH:MM:SSZ`. */
  expiresAt: z.string(),
  /** What it was when the request was filed. */
  previousExpiresAt: z.string(),
});
export type ApiKeyUpdateParams = z.infer<typeof apiKeyUpdateParams>;

/** A deactivated key switched on again: needs an approval. */
export const apiKeyReactivateParams = z.object({
  apiKeyId: z.string(),
  ownerUserId: z.string(),
  name: z.string(),
});
export type ApiKeyReactivateParams = z.infer<typeof apiKeyReactivateParams>;
