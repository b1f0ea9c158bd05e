import { setBounded } from '../util/bounded-map';
import type { Identity } from './identity';

type Resolve = (slackUserId: string, teamId: string | undefined) => Promise<Identity>;

const ENTRIES = 5000;

/**
 * Who someone is, remembered for a few seconds: for what only shows it (`/vams whoami`,
 * `/vams help`), so that someone asking again and again costs no Slack or DynamoDB read. Whatever
 * files, decides or changes something resolves the identity live instead. Lookups of one person
 * that arrive together share one resolution; a failed one is not remembered. Whenever the bot
 * itself changes a role or a link, it forgets them all.
 */
export class RecentIdentities {
  private readonly known = new Map<string, { identity: Promise<Identity>; until: number }>();

  constructor(
    private readonly resolve: Resolve,
    private readonly keepMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  identify: Resolve = (slackUserId, teamId) => {
    if (this.keepMs <= 0) return this.resolve(slackUserId, teamId);
    const key = `${teamId ?? ''}/${slackUserId}`;
    const remembered = this.known.get(key);
    if (remembered && remembered.until > this.now()) return remembered.identity;
    const identity = this.resolve(slackUserId, teamId);
    setBounded(this.known, key, { identity, until: this.now() + this.keepMs }, ENTRIES);
    identity.catch(() => {
      if (this.known.get(key)?.identity === identity) this.known.delete(key);
    });
    return identity;
  };

  /** The bot changed someone's roles or link: nothing remembered before it is shown again. */
  forgetAll(): void {
    this.known.clear();
  }
}
