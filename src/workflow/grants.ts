import {
  type EndedGrant,
  endingAt,
  type GrantEnding,
  type GrantEntry,
  type RoleHolding,
  remindersDue,
} from '../domain/grant';
import type { AppLogger } from '../logging';
import { code, slackDate } from '../views/mrkdwn';

/** The grant records the sweep works on; the bot table's grant store implements it. */
export interface GrantRecords {
  due(now: Date): Promise<{ userId: string; roleName: string }[]>;
  holding(userId: string, roleName: string): Promise<RoleHolding | undefined>;
  claim(holding: RoleHolding, owner: string, until: Date): Promise<RoleHolding | undefined>;
  end(claimed: RoleHolding, ending: GrantEnding): Promise<RoleHolding | undefined>;
  markReminded(holding: RoleHolding, grantIds: readonly string[]): Promise<RoleHolding | undefined>;
  told(holding: RoleHolding, grantIds: readonly string[]): Promise<boolean>;
}

/** What a grant's end says, in the thread of the request that gave it and to the grantee. */
export interface GrantAfterword {
  requestId: string;
  key: string;
  thread: string;
  dm?: { slackUserId: string; text: string };
  audit: { type: string; detail: Record<string, unknown> };
}

export interface GrantSweepPorts {
  records: GrantRecords;
  /**
   * Adds the afterword to the request's notices (once per key) and delivers it. False when it
   * could not be recorded yet: the ended grant stays to be told by a later sweep.
   */
  tell(afterword: GrantAfterword): Promise<boolean>;
  /** The grantee's DM 15 minutes before the end, with `Extend` and `Release now`. */
  remind(holding: RoleHolding, grant: GrantEntry): Promise<void>;
  logger: AppLogger;
  instanceId: string;
  /** How long a claimed holding is this instance's before another may take it over. */
  claimMs: number;
}

export interface GrantSweep {
  ended: number;
  reminded: number;
  told: number;
}

function endedText(holding: RoleHolding, grant: EndedGrant) {
  const what = `Grant ${grant.grantId} of VAMS role ${code(holding.roleName)} for ${code(holding.userId)}`;
  const how =
    grant.how === 'released'
      ? 'was given back early by the grantee'
      : grant.how === 'revoked'
        ? 'was revoked on review'
        : grant.how === 'removed'
          ? 'ended because the role was removed'
          : grant.how === 'made-permanent'
            ? 'ended because the role was assigned permanently'
            : `ended at ${slackDate(grant.end)}`;
  const row =
    grant.row === 'deleted'
      ? 'the role row was deleted, so VAMS no longer gives them the role (VAMS takes up to ~30 s to notice).'
      : grant.row === 'kept-permanent'
        ? 'they keep the role: they hold it permanently.'
        : grant.row === 'kept-other-grant'
          ? 'they keep the role under another grant still running.'
          : 'the role row had already been deleted outside vams-chatops, so there was nothing to delete.';
  return `${what} ${how}: ${row}`;
}

/** What is said of one ended grant. */
export function afterwordOf(holding: RoleHolding, grant: EndedGrant): GrantAfterword {
  const text = endedText(holding, grant);
  return {
    requestId: grant.requestId,
    key: `grant-end:${grant.grantId}`,
    thread: text,
    ...(grant.granteeSlackUserId ? { dm: { slackUserId: grant.granteeSlackUserId, text } } : {}),
    audit: {
      type: 'grant-ended',
      detail: {
        grantId: grant.grantId,
        userId: holding.userId,
        roleName: holding.roleName,
        how: grant.how,
        row: grant.row,
      },
    },
  };
}

/**
 * Reminds of grants about to end, ends the grants whose end passed (deleting VAMS's row with
 * the last one, unless the role is held permanently), and tells of every end. Any instance may
 * run it at any time: each change is a conditional write, so one instance does each.
 */
export class GrantSweeper {
  constructor(private readonly ports: GrantSweepPorts) {}

  async sweep(now: Date): Promise<GrantSweep> {
    const result: GrantSweep = { ended: 0, reminded: 0, told: 0 };
    for (const listed of await this.ports.records.due(now)) {
      try {
        await this.one(listed.userId, listed.roleName, now, result);
      } catch (error) {
        this.ports.logger.error(
          { err: error, userId: listed.userId, roleName: listed.roleName },
          'could not look after a grant; the next sweep tries again',
        );
      }
    }
    return result;
  }

  /** Looks after one user's grants of one role now (a release tells of itself at once). */
  async settle(userId: string, roleName: string, now: Date): Promise<GrantSweep> {
    const result: GrantSweep = { ended: 0, reminded: 0, told: 0 };
    await this.one(userId, roleName, now, result);
    return result;
  }

  private async one(userId: string, roleName: string, now: Date, result: GrantSweep) {
    let holding = await this.ports.records.holding(userId, roleName);
    if (!holding) return;
    const { closing } = holding;
    const someoneElse =
      closing &&
      closing.owner !== this.ports.instanceId &&
      Date.parse(closing.until) > now.getTime();
    if (someoneElse) return;
    const reminders = remindersDue(holding, now);
    if (reminders.length > 0) {
      const marked = await this.ports.records.markReminded(
        holding,
        reminders.map((grant) => grant.grantId),
      );
      if (!marked) return;
      holding = marked;
      for (const grant of reminders) {
        await this.ports
          .remind(holding, grant)
          .catch((error: unknown) =>
            this.ports.logger.warn(
              { err: error, grantId: grant.grantId },
              'could not remind a grantee',
            ),
          );
        result.reminded += 1;
      }
    }
    const ending = endingAt(holding, now);
    if (ending) {
      const claimed = await this.ports.records.claim(
        holding,
        this.ports.instanceId,
        new Date(now.getTime() + this.ports.claimMs),
      );
      if (!claimed) return;
      const ended = await this.ports.records.end(claimed, ending);
      if (!ended) return;
      holding = ended;
      result.ended += ending.ended.length;
      this.ports.logger.info(
        {
          userId,
          roleName,
          grants: ending.ended.map((grant) => grant.grantId),
          deletedRow: ending.deletesRow,
        },
        'grants ended',
      );
    }
    if (holding.ended.length === 0) return;
    const told: string[] = [];
    for (const grant of holding.ended) {
      if (await this.ports.tell(afterwordOf(holding, grant))) told.push(grant.grantId);
    }
    if (told.length > 0 && (await this.ports.records.told(holding, told))) {
      result.told += told.length;
    }
  }
}
