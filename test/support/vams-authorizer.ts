import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

/**
 * VAMS 2.5's API-key authorizer, re-implemented for tests. It deliberately shares no code with
 * src/: a key the bot writes wrongly must fail here the way it fails in VAMS. The caches VAMS
 * puts in front of this check (15 s for key records, 30 s in API Gateway) are left out: every
 * call reads the tables.
 */
export type AuthorizerVerdict =
  | { allowed: true; userId: string }
  | { allowed: false; reason: 'malformed' | 'unknown-key' | 'inactive' | 'expired' | 'no-role' };

const KEY_PREFIX = 'vams_';

// What the authorizer reads of a key item. `isActive` is compared, not parsed: VAMS denies
// anything but the string 'true', including a boolean true.
const keyItem = z.object({
  userId: z.string(),
  isActive: z.unknown(),
  expiresAt: z.string().optional(),
});

/** `vams_…` or `Bearer vams_…`, `bearer` in any case; undefined for anything else. */
function keyValueOf(authorizationHeader: string): string | undefined {
  const parts = authorizationHeader.trim().split(/\s+/);
  const [first, second] = parts;
  if (parts.length === 1 && first?.startsWith(KEY_PREFIX)) return first;
  if (parts.length === 2 && first?.toLowerCase() === 'bearer' && second?.startsWith(KEY_PREFIX))
    return second;
  return undefined;
}

// Python's datetime.fromisoformat for the shapes VAMS meets: a date, then a time after `T` or
// a space, then an optional zone.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * When a key stops working, or undefined for never. VAMS only enforces an expiry that parses
 * and carries a zone; a zone-less, date-only or unparseable value is logged and ignored, so the
 * key never expires. That is the flaw the bot avoids by always writing `…Z`.
 */
function enforcedExpiry(expiresAt: string | undefined): Date | undefined {
  if (!expiresAt) return undefined;
  const match = ISO_DATE_TIME.exec(expiresAt);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (hour === undefined || zone === undefined) return undefined;
  const local = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute ?? 0),
    Number(second ?? 0),
    Math.floor(Number((fraction ?? '0').padEnd(6, '0')) / 1000),
  );
  const check = new Date(local);
  // Date.UTC rolls 2026-02-30 over into March; Python refuses it.
  const valid =
    check.getUTCFullYear() === Number(year) &&
    check.getUTCMonth() === Number(month) - 1 &&
    check.getUTCDate() === Number(day) &&
    check.getUTCHours() === Number(hour) &&
    check.getUTCMinutes() === Number(minute ?? 0) &&
    check.getUTCSeconds() === Number(second ?? 0);
  if (!valid) return undefined;
  return new Date(local - zoneOffsetMinutes(zone) * 60_000);
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}

export async function vamsAuthorizes(
  documents: DynamoDBDocumentClient,
  tables: { apiKeys: string; userRoles: string },
  authorizationHeader: string,
  now: Date = new Date(),
): Promise<AuthorizerVerdict> {
  const value = keyValueOf(authorizationHeader);
  if (value === undefined) return { allowed: false, reason: 'malformed' };

  const hash = createHash('sha256').update(value, 'utf8').digest('hex');
  const found = await documents.send(
    new QueryCommand({
      TableName: tables.apiKeys,
      IndexName: 'apiKeyHashIndex',
      KeyConditionExpression: 'apiKeyHash = :hash',
      ExpressionAttributeValues: { ':hash': hash },
      Limit: 1,
    }),
  );
  const item = found.Items?.[0];
  if (item === undefined) return { allowed: false, reason: 'unknown-key' };
  const key = keyItem.parse(item);

  if (key.isActive !== 'true') return { allowed: false, reason: 'inactive' };
  const expiry = enforcedExpiry(key.expiresAt);
  if (expiry !== undefined && now.getTime() > expiry.getTime())
    return { allowed: false, reason: 'expired' };

  const roles = await documents.send(
    new QueryCommand({
      TableName: tables.userRoles,
      KeyConditionExpression: 'userId = :userId',
      ExpressionAttributeValues: { ':userId': key.userId },
      Limit: 1,
    }),
  );
  if (!roles.Items?.length) return { allowed: false, reason: 'no-role' };
  return { allowed: true, userId: key.userId };
}
