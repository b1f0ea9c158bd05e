import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { type RefusalReason, secretRecipientRefusal } from '../auth/identity';
import type { ApiKeyMetadata } from '../domain/api-key';
import type { AccessRequest, Notice } from '../domain/request';
import type { ApiKeyDelivery } from '../kinds/api-key/steps';
import type { AppLogger } from '../logging';
import { setBounded } from '../util/bounded-map';
import { apiKeyDm, expiryReminderDm } from '../views/api-key.view';
import type { Mention } from '../views/mention';
import type { MessageBody } from '../views/message';
import { escalationMessage, reminderMessage } from '../views/nudge.view';
import { checkedMessage } from '../views/outgoing';
import { replacedSecretDm } from '../views/replaced-secret.view';
import { requestCard } from '../views/request-card.view';
import {
  afterwordDm,
  afterwordMessage,
  progressMessage,
  requesterOutcomeDm,
  requestSubmittedDm,
  resultMessages,
  temporaryPasswordDm,
} from '../views/request-thread.view';
import type {
  PasswordCourier,
  SlackRecipient,
  TemporaryPasswordDelivery,
} from '../workflow/password-courier';
import type { RequestNotifier, StepState } from '../workflow/workflow';
import { type SlackPeople, slackErrorCode } from './slack-people';

const posted = z.object({ channel: z.string(), ts: z.string() });
const opened = z.object({ channel: z.object({ id: z.string() }) });
const found = z.object({ user: z.object({ id: z.string() }) });
const permalink = z.object({ permalink: z.string() });

const CACHE_ENTRIES = 5000;
const LOOKUP_SECONDS = 60;
const PROGRESS_INTERVAL_MS = 1000;

/** Message metadata: what a message is, so that a later process can find it again. */
export interface MessageTag {
  event_type: string;
  event_payload: Record<string, string>;
}

const history = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z
          .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) })
          .optional(),
      }),
    )
    .optional(),
});

// A recovering process looks this far back for what an earlier one sent.
const HISTORY_LIMIT = 100;

/** The messages among `messages` tagged `tag`: same event type, same payload. */
function tagged(answer: unknown, tag: MessageTag): string[] {
  return (history.parse(answer).messages ?? []).flatMap((message) => {
    const metadata = message.metadata;
    if (metadata?.event_type !== tag.event_type) return [];
    const same = Object.entries(tag.event_payload).every(
      ([key, value]) => metadata.event_payload[key] === value,
    );
    return same ? [message.ts] : [];
  });
}

/**
 * A history read; an installation that has not granted the history scopes yet reads nothing, so
 * a message is sent again rather than not at all.
 */
async function readHistory(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return await read();
  } catch (error) {
    if (slackErrorCode(error) === 'missing_scope') return {};
    throw error;
  }
}

/** Direct messages: `conversations.open` once per person (Tier 3), then post to the D… id. */
export class DirectMessages {
  private readonly channels = new Map<string, string>();

  constructor(private readonly client: WebClient) {}

  private async channelOf(slackUserId: string): Promise<string> {
    const known = this.channels.get(slackUserId);
    if (known) return known;
    const channel = opened.parse(await this.client.conversations.open({ users: slackUserId }))
      .channel.id;
    setBounded(this.channels, slackUserId, channel, CACHE_ENTRIES);
    return channel;
  }

  async send(slackUserId: string, body: MessageBody, tag?: MessageTag): Promise<void> {
    const channel = await this.channelOf(slackUserId);
    await this.client.chat.postMessage({
      channel,
      ...checkedMessage(body),
      ...(tag ? { metadata: tag } : {}),
    });
  }

  /** The bot's recent DMs to this person tagged `tag`, newest first. */
  async find(slackUserId: string, tag: MessageTag): Promise<{ channel: string; ts: string[] }> {
    const channel = await this.channelOf(slackUserId);
    const answer = await readHistory(() =>
      this.client.conversations.history({
        channel,
        include_all_metadata: true,
        limit: HISTORY_LIMIT,
      }),
    );
    return { channel, ts: tagged(answer, tag) };
  }

  async edit(channel: string, ts: string, body: MessageBody, tag: MessageTag): Promise<void> {
    await this.client.chat.update({ channel, ts, ...checkedMessage(body), metadata: tag });
  }
}

/** How a secret's DM is tagged: found again, and marked replaced, if its request resumes. */
function secretTag(
  secret: 'api-key' | 'password',
  requestId: string,
  state: 'live' | 'replaced' = 'live',
): MessageTag {
  return {
    event_type: state === 'live' ? 'vams_secret' : 'vams_secret_replaced',
    event_payload: { secret, request_id: requestId },
  };
}

/** How a notice's message is tagged: by request and notice, unique for ever. */
function noticeTag(request: AccessRequest, notice: Notice): MessageTag {
  return {
    event_type: 'vams_notice',
    event_payload: { request_id: request.id, notice_id: notice.id },
  };
}

/** The workflow's voice in Slack: the card, its thread, and DMs. */
export class SlackRequestNotifier implements RequestNotifier {
  // Progress message per request while it runs; after a restart a new one is posted.
  private readonly progressTs = new Map<string, string>();
  private readonly progressAt = new Map<string, number>();
  // A failure or final state that came within the second, sent when the second is out: one per
  // request at most, the latest, and gone once sent.
  private readonly heldBack = new Map<
    string,
    { request: AccessRequest; steps: StepState[]; timer: NodeJS.Timeout; last?: boolean }
  >();

  constructor(
    private readonly client: WebClient,
    private readonly approvalChannelId: string,
    private readonly dms: DirectMessages,
    private readonly logger: AppLogger,
    private readonly nudging: { mentions: readonly Mention[]; escalationChannelId?: string } = {
      mentions: [],
    },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async postCard(request: AccessRequest): Promise<{ channel: string; ts: string }> {
    const answer = await this.client.chat.postMessage({
      channel: this.approvalChannelId,
      ...checkedMessage(requestCard(request, this.nudging.mentions)),
    });
    return posted.parse(answer);
  }

  /** Best effort: the request's state is in the table; a failed post must not stop its work. */
  private async quietly(
    request: AccessRequest,
    what: string,
    work: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn(
        { requestId: request.id, err: error, slackError: slackErrorCode(error) },
        `could not ${what}`,
      );
    }
  }

  async progress(request: AccessRequest, steps: StepState[]): Promise<void> {
    const { card } = request;
    if (!card) return;
    // chat.update allows about 50 calls a minute: once posted, a checklist changes at most once
    // a second, counted from when Slack answered its last change. A state that comes sooner is
    // skipped while steps still run; a failure and the final state wait out the second instead
    // (without holding up the run), so the checklist always ends as the request did.
    const ts = this.progressTs.get(request.id);
    const last = this.progressAt.get(request.id);
    if (ts && last !== undefined) {
      const early = last + PROGRESS_INTERVAL_MS - Date.now();
      const ongoing = steps.some((step) => step.state === 'waiting' || step.state === 'running');
      const failed = steps.some((step) => step.state === 'failed');
      if (early > 0 && ongoing && !failed) return;
      if (early > 0) {
        // Held back without holding up the request's run: its result does not wait for it.
        const held = this.heldBack.get(request.id);
        if (held) clearTimeout(held.timer);
        const timer = setTimeout(() => {
          this.sendHeldBack(request.id).catch(() => undefined);
        }, early);
        this.heldBack.set(request.id, {
          request,
          steps,
          timer,
          ...(held?.last ? { last: true } : {}),
        });
        return;
      }
    }
    this.heldBack.delete(request.id);
    const body = checkedMessage(progressMessage(request, steps));
    await this.quietly(request, 'post progress', async () => {
      if (ts) {
        try {
          await this.client.chat.update({ channel: card.channel, ts, ...body });
        } finally {
          setBounded(this.progressAt, request.id, Date.now(), CACHE_ENTRIES);
        }
        return;
      }
      const answer = posted.parse(
        await this.client.chat.postMessage({ channel: card.channel, thread_ts: card.ts, ...body }),
      );
      setBounded(this.progressTs, request.id, answer.ts, CACHE_ENTRIES);
    });
  }

  private async sendHeldBack(requestId: string): Promise<void> {
    const held = this.heldBack.get(requestId);
    if (!held) return;
    clearTimeout(held.timer);
    this.heldBack.delete(requestId);
    // Sent as it is: the second since the last change is out, or the process is stopping.
    this.progressAt.delete(requestId);
    await this.progress(held.request, held.steps);
    // The request's result is out already: this was its checklist's last change.
    if (held.last) this.progressTs.delete(requestId);
  }

  async settle(): Promise<void> {
    await Promise.all([...this.heldBack.keys()].map((id) => this.sendHeldBack(id)));
  }

  private async updateCard(request: AccessRequest): Promise<void> {
    const { card } = request;
    if (!card) return;
    await this.client.chat.update({
      channel: card.channel,
      ts: card.ts,
      ...checkedMessage(requestCard(request, this.nudging.mentions)),
    });
  }

  private async link(request: AccessRequest): Promise<string | undefined> {
    const { card } = request;
    if (!card) return undefined;
    try {
      return permalink.parse(
        await this.client.chat.getPermalink({ channel: card.channel, message_ts: card.ts }),
      ).permalink;
    } catch {
      return undefined;
    }
  }

  async deliver(request: AccessRequest, notice: Notice, recovering: boolean): Promise<void> {
    const tag = noticeTag(request, notice);
    const summary = notice.summary ?? '';
    switch (notice.type) {
      case 'card':
        // The card shows the request as it is now: showing it again is harmless.
        return this.updateCard(request);
      case 'result':
        return this.postResult(request, summary, tag, recovering);
      case 'thread':
        return this.postInThread(request, afterwordMessage(summary), tag, recovering);
      case 'reminder': {
        const count = Number(summary) || 1;
        const body = reminderMessage(request, count, this.nudging.mentions, this.clock());
        return this.postInThread(request, body, tag, recovering);
      }
      case 'escalation':
        return this.escalate(request, tag, recovering);
      case 'dm': {
        if (!notice.to) return;
        if (recovering && (await this.dms.find(notice.to, tag)).ts.length > 0) return;
        const link = await this.link(request);
        return this.dms.send(notice.to, afterwordDm(summary, link), tag);
      }
      case 'submitted':
      case 'outcome': {
        const requester = request.requester.slackUserId;
        if (recovering && (await this.dms.find(requester, tag)).ts.length > 0) return;
        const link = await this.link(request);
        const body =
          notice.type === 'submitted'
            ? requestSubmittedDm(request, link)
            : requesterOutcomeDm(request, summary, link);
        return this.dms.send(requester, body, tag);
      }
    }
  }

  /** Raised in the escalation channel with a link to the card, once even when delivered again. */
  private async escalate(request: AccessRequest, tag: MessageTag, recovering: boolean) {
    const channel = this.nudging.escalationChannelId;
    if (!channel) return;
    if (recovering) {
      const history = await readHistory(() =>
        this.client.conversations.history({
          channel,
          include_all_metadata: true,
          limit: HISTORY_LIMIT,
        }),
      );
      if (tagged(history, tag).length > 0) return;
    }
    const body = escalationMessage(
      request,
      await this.link(request),
      this.nudging.mentions,
      this.clock(),
    );
    await this.client.chat.postMessage({ channel, ...checkedMessage(body), metadata: tag });
  }

  /** A later word in the card's thread, once even when delivered again. */
  private async postInThread(
    request: AccessRequest,
    message: MessageBody,
    tag: MessageTag,
    recovering: boolean,
  ): Promise<void> {
    const { card } = request;
    if (!card) return;
    if (recovering) {
      const thread = await readHistory(() =>
        this.client.conversations.replies({
          channel: card.channel,
          ts: card.ts,
          include_all_metadata: true,
          limit: HISTORY_LIMIT,
        }),
      );
      if (tagged(thread, tag).length > 0) return;
    }
    await this.client.chat.postMessage({
      channel: card.channel,
      thread_ts: card.ts,
      ...checkedMessage(message),
      metadata: tag,
    });
  }

  private async postResult(
    request: AccessRequest,
    summary: string,
    tag: MessageTag,
    recovering: boolean,
  ): Promise<void> {
    // A checklist still waiting out its second keeps its message until it has been sent.
    const held = this.heldBack.get(request.id);
    if (held) held.last = true;
    else this.progressTs.delete(request.id);
    this.progressAt.delete(request.id);
    const { card } = request;
    if (!card) return;
    // A long result takes several replies, each tagged with its place among them.
    const parts = resultMessages(request, summary).map((message, index) => ({
      message,
      tag: { ...tag, event_payload: { ...tag.event_payload, part: String(index) } },
    }));
    let posted: MessageTag[] = [];
    if (recovering) {
      const thread = await readHistory(() =>
        this.client.conversations.replies({
          channel: card.channel,
          ts: card.ts,
          include_all_metadata: true,
          limit: HISTORY_LIMIT,
        }),
      );
      posted = parts.filter((part) => tagged(thread, part.tag).length > 0).map((part) => part.tag);
    }
    for (const part of parts) {
      if (posted.includes(part.tag)) continue;
      await this.client.chat.postMessage({
        channel: card.channel,
        thread_ts: card.ts,
        ...checkedMessage(part.message),
        metadata: part.tag,
      });
    }
  }
}

/** Finds people by email and hands them secrets, by DM only. */
export class SlackCourier implements PasswordCourier {
  private readonly byEmail = new Map<string, { slackUserId: string | undefined; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly dms: DirectMessages,
    private readonly people: SlackPeople,
    private readonly homeTeamId: string,
  ) {}

  /**
   * users.lookupByEmail finds guests, deactivated accounts, accounts whose email Slack never
   * confirmed and Slack Connect members too: each is vetted with the identity rules.
   */
  async recipientForEmail(email: string): Promise<SlackRecipient | undefined> {
    const slackUserId = await this.slackUserForEmail(email);
    if (!slackUserId) return undefined;
    return { slackUserId, refusal: await this.recipientRefusal(slackUserId, email) };
  }

  async recipientRefusal(slackUserId: string, email: string): Promise<RefusalReason | undefined> {
    return secretRecipientRefusal(
      await this.people.freshPerson(slackUserId),
      this.homeTeamId,
      email,
    );
  }

  /** users.lookupByEmail (Tier 3), remembered for a minute: reminders and notices repeat it. */
  async slackUserForEmail(email: string): Promise<string | undefined> {
    const cached = this.byEmail.get(email);
    if (cached && cached.until > Date.now()) return cached.slackUserId;
    let slackUserId: string | undefined;
    try {
      slackUserId = found.parse(await this.client.users.lookupByEmail({ email })).user.id;
    } catch (error) {
      if (slackErrorCode(error) !== 'users_not_found') throw error;
    }
    setBounded(
      this.byEmail,
      email,
      { slackUserId, until: Date.now() + LOOKUP_SECONDS * 1000 },
      CACHE_ENTRIES,
    );
    return slackUserId;
  }

  async sendTemporaryPassword(delivery: TemporaryPasswordDelivery): Promise<void> {
    await this.dms.send(
      delivery.slackUserId,
      temporaryPasswordDm(delivery),
      secretTag('password', delivery.requestId),
    );
  }

  async sendApiKey(delivery: ApiKeyDelivery): Promise<void> {
    await this.dms.send(
      delivery.slackUserId,
      apiKeyDm(delivery),
      secretTag('api-key', delivery.requestId),
    );
  }

  async retireSecretDms(
    secret: 'api-key' | 'password',
    requestId: string,
    slackUserIds: readonly string[],
  ): Promise<number> {
    let retired = 0;
    for (const slackUserId of new Set(slackUserIds)) {
      const found = await this.dms.find(slackUserId, secretTag(secret, requestId));
      for (const ts of found.ts) {
        await this.dms.edit(
          found.channel,
          ts,
          replacedSecretDm(secret, requestId),
          secretTag(secret, requestId, 'replaced'),
        );
        retired += 1;
      }
    }
    return retired;
  }

  async remindKeyExpiry(slackUserId: string, key: ApiKeyMetadata, expiry: Date): Promise<void> {
    await this.dms.send(slackUserId, expiryReminderDm(key, expiry));
  }
}
