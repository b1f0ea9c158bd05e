/** What may be shown about a key: never its hash, let alone its value. */
export interface ApiKeyMetadata {
  apiKeyId: string;
  name: string;
  description: string;
  userId: string;
  createdBy: string | undefined;
  createdAt: string | undefined;
  /** Undefined: never expires (VAMS stores `''`). */
  expiresAt: string | undefined;
  /** VAMS's rule: only the string `'true'` is active. */
  active: boolean;
}

/** A new key exactly as VAMS writes it: every attribute a string. */
export interface NewApiKeyItem {
  apiKeyId: string;
  apiKeyName: string;
  apiKeyHash: string;
  description: string;
  userId: string;
  createdBy: string;
  /** `YYYY-MM-DDTHH:MM:SSZ`, or '' for never. */
  expiresAt: string;
}
