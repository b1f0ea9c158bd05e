import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { SlackPerson } from '../auth/identity';
import { setBounded } from '../util/bounded-map';

const usersInfo = z.object({
  user: z.object({
    id: z.string(),
    team_id: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    is_restricted: z.boolean().optional(),
    is_ultra_restricted: z.boolean().optional(),
    is_email_confirmed: z.boolean().optional(),
    profile: z.object({ email: z.string().optional() }).optional(),
  }),
});

const CACHE_SECONDS = 60;
const CACHE_ENTRIES = 5000;

/**
 * users.info, cached briefly: Slack rate-limits it and every command needs it. Bounded in size
 * so that nothing grows per request.
 */
export class SlackPeople {
  private readonly cache = new Map<string, { person: SlackPerson | undefined; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly now: () => number = Date.now,
  ) {}

  async person(slackUserId: string): Promise<SlackPerson | undefined> {
    const cached = this.cache.get(slackUserId);
    if (cached && cached.until > this.now()) return cached.person;
    const person = await this.fetch(slackUserId);
    this.remember(slackUserId, person);
    return person;
  }

  /**
   * users.info read now, not from the cache: before a secret is handed over, a guest conversion
   * or a deactivation a minute ago must count.
   */
  async freshPerson(slackUserId: string): Promise<SlackPerson | undefined> {
    const person = await this.fetch(slackUserId);
    this.remember(slackUserId, person);
    return person;
  }

  private async fetch(slackUserId: string): Promise<SlackPerson | undefined> {
    try {
      const { user } = usersInfo.parse(await this.client.users.info({ user: slackUserId }));
      return {
        id: user.id,
        teamId: user.team_id,
        email: user.profile?.email,
        emailConfirmed: user.is_email_confirmed === true,
        isBot: user.is_bot === true,
        deleted: user.deleted === true,
        isGuest: user.is_restricted === true || user.is_ultra_restricted === true,
      };
    } catch (error) {
      if (slackErrorCode(error) === 'user_not_found') return undefined;
      throw error;
    }
  }

  private remember(slackUserId: string, person: SlackPerson | undefined): void {
    setBounded(
      this.cache,
      slackUserId,
      { person, until: this.now() + CACHE_SECONDS * 1000 },
      CACHE_ENTRIES,
    );
  }
}

const platformError = z.object({ data: z.object({ error: z.string() }) });

/** The `error` of a Slack Web API answer, e.g. `user_not_found`, if that is what failed. */
export function slackErrorCode(error: unknown): string | undefined {
  const parsed = platformError.safeParse(error);
  return parsed.success ? parsed.data.data.error : undefined;
}
