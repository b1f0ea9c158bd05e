import type { ApiKeyMetadata } from '../domain/api-key';
import type { AppLogger } from '../logging';
import { zonedInstant } from '../vams/api-key-format';

export const REMIND_DAYS_AHEAD = 7;

export interface KeyReminderPorts {
  apiKeys: { activeExpiringBy(until: Date): Promise<ApiKeyMetadata[]> };
  reminders: {
    claim(apiKeyId: string, expiresAt: string, expiry: Date): Promise<boolean>;
    release(apiKeyId: string, expiresAt: string): Promise<void>;
  };
  /** The owner's Slack user, when they can be found. */
  slackUserOf(vamsUserId: string): Promise<string | undefined>;
  /** DMs the reminder, with its `Rotate` button. */
  remind(slackUserId: string, key: ApiKeyMetadata, expiry: Date): Promise<void>;
  logger: AppLogger;
}

export interface ReminderRun {
  reminded: string[];
  /** Keys whose owner and creator are not in Slack: nobody to tell. */
  ownerNotFound: string[];
  failed: string[];
}

/**
 * One DM per active key expiring within a week, to its owner (or, for a CI bot's key, to whoever
 * created it). Callable on its own, e.g. from a scheduled Lambda; the bot runs it on a timer.
 */
export async function remindExpiringKeys(ports: KeyReminderPorts, now: Date): Promise<ReminderRun> {
  const until = new Date(now.getTime() + REMIND_DAYS_AHEAD * 86_400_000);
  const run: ReminderRun = { reminded: [], ownerNotFound: [], failed: [] };
  const keys = await ports.apiKeys.activeExpiringBy(until);
  for (const key of keys) {
    const expiry = zonedInstant(key.expiresAt);
    if (!expiry || !key.expiresAt || expiry.getTime() <= now.getTime()) continue;
    if (!(await ports.reminders.claim(key.apiKeyId, key.expiresAt, expiry))) continue;
    try {
      // A key of a CI bot: its owner is not a person, so whoever created it hears instead.
      const slackUserId =
        (await ports.slackUserOf(key.userId)) ??
        (key.createdBy && key.createdBy !== key.userId
          ? await ports.slackUserOf(key.createdBy)
          : undefined);
      if (!slackUserId) {
        run.ownerNotFound.push(key.apiKeyId);
        continue;
      }
      await ports.remind(slackUserId, key, expiry);
      run.reminded.push(key.apiKeyId);
    } catch (error) {
      ports.logger.warn({ err: error, apiKeyId: key.apiKeyId }, 'expiry reminder not sent');
      run.failed.push(key.apiKeyId);
      await ports.reminders.release(key.apiKeyId, key.expiresAt);
    }
  }
  if (keys.length > 0) ports.logger.info({ ...counts(run) }, 'API key expiry reminders');
  return run;
}

function counts(run: ReminderRun): Record<string, number> {
  return {
    reminded: run.reminded.length,
    ownerNotFound: run.ownerNotFound.length,
    failed: run.failed.length,
  };
}
