import { z } from 'zod';

/** The grantee is reminded this long before a grant ends. */
export const GRANT_REMINDER_MS = 15 * 60_000;

/** One time-bound assignment of a role, given by one approved request. */
export const grantEntry = z.object({
  grantId: z.string(),
  requestId: z.string(),
  /** The Slack user who asked for it. */
  requestedBy: z.string(),
  /** Where the grantee is told of its end, when they are in Slack. */
  granteeSlackUserId: z.string().optional(),
  start: z.string(),
  end: z.string(),
  reminded: z.boolean().optional(),
});
export type GrantEntry = z.infer<typeof grantEntry>;

/** How a grant ended, for what is said of it. */
export type GrantEnd = 'expired' | 'released' | 'removed' | 'made-permanent' | 'revoked';

/**
 * Grants that ended and are still to be told of: written in the same transaction as their end,
 * removed once told, so a crash in between leaves them for the next sweep.
 */
export const endedGrant = grantEntry.extend({
  how: z.enum(['expired', 'released', 'removed', 'made-permanent', 'revoked']),
  /** What the end did to VAMS's role row. */
  row: z.enum(['deleted', 'kept-permanent', 'kept-other-grant', 'already-gone']),
  at: z.string(),
});
export type EndedGrant = z.infer<typeof endedGrant>;

/**
 * Everything the bot knows about one user's grants of one role, next to VAMS's own row.
 * `keepsRow`: the user held the role before any grant (or it was made permanent), so no grant
 * end removes the row.
 */
export interface RoleHolding {
  userId: string;
  roleName: string;
  keepsRow: boolean;
  grants: GrantEntry[];
  ended: EndedGrant[];
  /** An instance ending grants now; another takes over once `until` passes. */
  closing?: { owner: string; until: string };
  version: number;
}

/** The latest end among running grants: when the role row goes, unless it is kept. */
export function holdingUntil(holding: Pick<RoleHolding, 'grants'>): string | undefined {
  return holding.grants
    .map((grant) => grant.end)
    .sort()
    .at(-1);
}

/** A grant no longer than the reminder window gets none: it would come as it starts. */
function awaitsReminder(grant: GrantEntry): boolean {
  return !grant.reminded && Date.parse(grant.end) - Date.parse(grant.start) > GRANT_REMINDER_MS;
}

/** When the sweep must look at this holding next: a reminder, an end, or something untold. */
export function holdingDue(holding: RoleHolding): string | undefined {
  if (holding.ended.length > 0) return new Date(0).toISOString();
  const times = holding.grants.map((grant) =>
    awaitsReminder(grant)
      ? new Date(Date.parse(grant.end) - GRANT_REMINDER_MS).toISOString()
      : grant.end,
  );
  return times.sort()[0];
}

/** What a sweep does to a holding at `now`: the grants that end and whether the row goes. */
export interface GrantEnding {
  ended: EndedGrant[];
  remaining: GrantEntry[];
  deletesRow: boolean;
}

export function endingAt(holding: RoleHolding, now: Date): GrantEnding | undefined {
  const at = now.toISOString();
  const due = holding.grants.filter((grant) => Date.parse(grant.end) <= now.getTime());
  if (due.length === 0) return undefined;
  const remaining = holding.grants.filter((grant) => !due.includes(grant));
  return endingOf(holding, due, remaining, 'expired', at);
}

/** Ends `due` now for the reason `how`; the row goes only with the last grant, never if kept. */
export function endingOf(
  holding: RoleHolding,
  due: readonly GrantEntry[],
  remaining: readonly GrantEntry[],
  how: GrantEnd,
  at: string,
): GrantEnding {
  const deletesRow = remaining.length === 0 && !holding.keepsRow && how !== 'made-permanent';
  const row: EndedGrant['row'] = deletesRow
    ? 'deleted'
    : holding.keepsRow || how === 'made-permanent'
      ? 'kept-permanent'
      : 'kept-other-grant';
  return {
    ended: due.map((grant) => ({ ...grant, how, row, at })),
    remaining: [...remaining],
    deletesRow,
  };
}

/** Grants whose reminder is due at `now`: within the reminder window, not yet reminded. */
export function remindersDue(holding: RoleHolding, now: Date): GrantEntry[] {
  return holding.grants.filter(
    (grant) =>
      awaitsReminder(grant) &&
      Date.parse(grant.end) > now.getTime() &&
      Date.parse(grant.end) - GRANT_REMINDER_MS <= now.getTime(),
  );
}

/** Deterministic, so a step that runs again after a crash records the same grant. */
export function grantIdOf(requestId: string, roleIndex: number): string {
  return `G${requestId.replace(/^R/, '')}-${roleIndex + 1}`;
}

const UNITS: ReadonlyArray<[number, string]> = [
  [7 * 24 * 60, 'week'],
  [24 * 60, 'day'],
  [60, 'hour'],
  [1, 'minute'],
];

/** "1 minute", "4 hours", "7 days": the largest unit that divides the minutes exactly. */
export function durationLabel(minutes: number): string {
  // Days read better than weeks up to a fortnight ("7 days", as people say it).
  for (const [size, unit] of UNITS) {
    if (unit === 'week' && minutes < 14 * 24 * 60) continue;
    if (minutes % size === 0) {
      const count = minutes / size;
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${minutes} minutes`;
}
