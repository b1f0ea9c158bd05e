import type { App, BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { DecisionRefusal } from '../auth/approval-policy';
import type { Identity } from '../auth/identity';
import type { ApiKeyMetadata } from '../domain/api-key';
import type { RoleHolding } from '../domain/grant';
import type { AccessRequest } from '../domain/request';
import type { AppLogger } from '../logging';
import { slackErrorCode } from '../slack/slack-people';
import { setBounded } from '../util/bounded-map';
import type { ButtonSpec } from '../views/buttons';
import { homeView } from '../views/home.view';
import type { MessageBody } from '../views/message';
import { checkedView } from '../views/outgoing';
import { explainRefusal } from '../views/reasons';
import type { Identify } from './identity.commands';

/** What a Home tab is drawn from: Queries and key reads only, never a Scan. */
export interface HomeSources {
  identify: Identify;
  /** Pending, approved and executing requests (one Query of the open index). */
  open(): Promise<AccessRequest[]>;
  /** The newest requests someone filed (one Query of their list and one batch read). */
  askedBy(slackUserId: string, limit: number): Promise<AccessRequest[]>;
  refusalFor(request: AccessRequest, identity: Identity): DecisionRefusal | undefined;
  /** Holds a role that approves some kind of request. */
  mayApprove(identity: Identity): boolean;
  holdingsOf(vamsUserId: string): Promise<RoleHolding[]>;
  keysOf(vamsUserId: string): Promise<ApiKeyMetadata[]>;
  keyButtons?: (key: ApiKeyMetadata) => ButtonSpec[];
}

export interface HomeSettings {
  client: WebClient;
  logger: AppLogger;
  clock: () => Date;
  /** A person's Home is published at most once in this long; later changes wait for it. */
  refreshMs: number;
}

// People whose Home may be on their screen: those who opened it lately. Nobody else's is redrawn.
const VIEWERS = 2_000;
const VIEWER_MS = 24 * 3_600_000;
const RECENT_REQUESTS = 10;
const NOTICE_MS = 60_000;

interface Viewer {
  teamId: string | undefined;
  until: number;
  /** Their Home lists requests to decide: every new or decided request concerns them. */
  approver: boolean;
}

/** Draws each person's App Home, and draws it again (rate-limited) when what it shows changes. */
export class HomeTabs {
  private readonly viewers = new Map<string, Viewer>();
  private readonly publishedAt = new Map<string, number>();
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  /** The answer to a person's last click on their Home stays on top for a while. */
  private readonly notices = new Map<string, { text: string; until: number }>();
  /** The drawing of each person's Home under way: one at a time, so the last drawn is newest. */
  private readonly drawing = new Map<string, Promise<void>>();

  constructor(
    private readonly sources: HomeSources,
    private readonly settings: HomeSettings,
  ) {}

  /**
   * Reads what concerns the person and publishes their Home, with `notice` on top. A drawing
   * already under way for them finishes first: two drawn side by side could publish out of order,
   * and an older one published last would hide the newer state (and the notice) behind it.
   */
  show(slackUserId: string, teamId: string | undefined, notice?: string): Promise<void> {
    if (notice)
      setBounded(
        this.notices,
        slackUserId,
        { text: notice, until: Date.now() + NOTICE_MS },
        VIEWERS,
      );
    const before = this.drawing.get(slackUserId) ?? Promise.resolve();
    const drawn = before.catch(() => undefined).then(() => this.draw(slackUserId, teamId));
    this.drawing.set(slackUserId, drawn);
    const forget = (): void => {
      if (this.drawing.get(slackUserId) === drawn) this.drawing.delete(slackUserId);
    };
    drawn.then(forget, forget);
    return drawn;
  }

  private async draw(slackUserId: string, teamId: string | undefined): Promise<void> {
    const { sources, settings } = this;
    const now = settings.clock();
    const kept = this.notices.get(slackUserId);
    const shownNotice = kept && kept.until > Date.now() ? kept.text : undefined;
    const [identity, open, asked] = await Promise.all([
      sources.identify(slackUserId, teamId),
      sources.open(),
      sources.askedBy(slackUserId, RECENT_REQUESTS),
    ]);
    const approver = identity.mapped && sources.mayApprove(identity);
    const [grants, keys] = identity.mapped
      ? await Promise.all([
          sources.holdingsOf(identity.vamsUserId),
          sources.keysOf(identity.vamsUserId),
        ])
      : [[], []];
    const own = new Map<string, AccessRequest>();
    for (const request of [
      ...open.filter((entry) => entry.requester.slackUserId === slackUserId),
      ...asked,
    ]) {
      own.set(request.id, request);
    }
    const view = homeView({
      identity: identity.mapped
        ? { vamsUserId: identity.vamsUserId, roles: identity.roles }
        : { unmapped: explainRefusal(identity.reason, identity.email) },
      ...(shownNotice ? { notice: shownNotice } : {}),
      decidable: approver
        ? open.filter(
            (request) =>
              request.status === 'pending' && sources.refusalFor(request, identity) === undefined,
          )
        : undefined,
      own: [...own.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
      grants,
      keys,
      ...(sources.keyButtons ? { keyButtons: sources.keyButtons } : {}),
      now,
    });
    setBounded(
      this.viewers,
      slackUserId,
      { teamId, until: Date.now() + VIEWER_MS, approver },
      VIEWERS,
    );
    setBounded(this.publishedAt, slackUserId, Date.now(), VIEWERS);
    await settings.client.views.publish({ user_id: slackUserId, view: checkedView(view) });
  }

  /**
   * Something changed that these people see on their Home (and, with `approvers`, everyone
   * whose Home lists requests to decide): redrawn once the rate allows, changes coalesced.
   */
  concerns(slackUserIds: readonly string[], approvers = false): void {
    const now = Date.now();
    const people = new Set(slackUserIds);
    for (const [slackUserId, viewer] of this.viewers) {
      if (viewer.until < now) this.viewers.delete(slackUserId);
      else if (approvers && viewer.approver) people.add(slackUserId);
    }
    for (const slackUserId of people) {
      const viewer = this.viewers.get(slackUserId);
      if (!viewer || viewer.until < now || this.waiting.has(slackUserId)) continue;
      const wait = Math.max(
        0,
        (this.publishedAt.get(slackUserId) ?? 0) + this.settings.refreshMs - now,
      );
      const timer = setTimeout(() => {
        this.waiting.delete(slackUserId);
        this.show(slackUserId, viewer.teamId).catch((error: unknown) =>
          this.settings.logger.warn(
            { err: error, slackError: slackErrorCode(error), slackUserId },
            'could not redraw a Home tab',
          ),
        );
      }, wait);
      timer.unref();
      this.waiting.set(slackUserId, timer);
    }
  }

  /** The people a request concerns: who asked, whom it is about, who decided. */
  concernsRequest(request: AccessRequest): void {
    this.concerns(
      [
        request.requester.slackUserId,
        ...(request.subjectSlackUserIds ?? []),
        ...request.approvals.map((approval) => approval.slackUserId),
        ...(request.decision ? [request.decision.by.slackUserId] : []),
      ],
      true,
    );
  }

  stop(): void {
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }
}

/** A click that came from someone's Home tab: it has no response_url to answer through. */
export function fromHome(body: BlockAction): boolean {
  return body.view?.type === 'home';
}

/**
 * Answers a click where it came from: on the Home tab by drawing it again with the answer on
 * top, elsewhere by an ephemeral reply.
 */
export async function answerClick(
  homes: HomeTabs | undefined,
  body: BlockAction,
  respond: RespondFn | undefined,
  reply: MessageBody,
  logger: AppLogger,
): Promise<void> {
  try {
    if (fromHome(body) && homes) {
      await homes.show(body.user.id, body.user.team_id ?? body.team?.id, reply.text);
      return;
    }
    await respond?.({ response_type: 'ephemeral', replace_original: false, ...reply });
  } catch (error) {
    logger.warn({ err: error, slackError: slackErrorCode(error) }, 'could not answer a click');
  }
}

export function registerHomeFeature(app: App, homes: HomeTabs): void {
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    await homes.show(event.user, body.team_id);
  });
}
