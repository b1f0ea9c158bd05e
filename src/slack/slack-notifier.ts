import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { type RefusalReason, secretRecipientRefusal } from '../auth/identity';
import type { ApiKeyMetadata } from '../domain/api-key';
import type { AccessRequest } from '../domain/request';
import type { AppLogger } from '../logging';
import { setBounded } from '../util/bounded-map';
import { apiKeyDm, expiryReminderDm } from '../views/api-key.view';
import type { MessageBody } from '../views/message';
import { checkedMessage } from '../views/outgoing';
import { requestCard } from '../views/request-card.view';
import {
  progressMessage,
  requesterOutcomeDm,
  requestSubmittedDm,
  resultMessages,
  temporaryPasswordDm,
} from '../views/request-thread.view';
import type { ApiKeyDelivery } from '../workflow/api-keys';
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
const SHORT_REQUEST_STEPS = 12;

/** Direct messages: `conversations.open` once per person (Tier 3), then post to the D… id. */
export class DirectMessages {
  private readonly channels = new Map<string, string>();

  constructor(private readonly client: WebClient) {}

  async send(slackUserId: string, body: MessageBody): Promise<void> {
    let channel = this.channels.get(slackUserId);
    if (!channel) {
      channel = opened.parse(await this.client.conversations.open({ users: slackUserId })).channel
        .id;
      setBounded(this.channels, slackUserId, channel, CACHE_ENTRIES);
    }
    await this.client.chat.postMessage({ channel, ...checkedMessage(body) });
  }
}

/** The workflow's voice in Slack: the card, its thread, and DMs. */
export class SlackRequestNotifier implements RequestNotifier {
  // Progress message per request while it runs; after a restart a new one is posted.
  private readonly progressTs = new Map<string, string>();
  private readonly progressAt = new Map<string, number>();

  constructor(
    private readonly client: WebClient,
    private readonly approvalChannelId: string,
    private readonly dms: DirectMessages,
    private readonly logger: AppLogger,
  ) {}

  async postCard(request: AccessRequest): Promise<{ channel: string; ts: string }> {
    const answer = await this.client.chat.postMessage({
      channel: this.approvalChannelId,
      ...checkedMessage(requestCard(request)),
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

  async cardChanged(request: AccessRequest): Promise<void> {
    const { card } = request;
    if (!card) return;
    await this.quietly(request, 'update the card', () =>
      this.client.chat.update({
        channel: card.channel,
        ts: card.ts,
        ...checkedMessage(requestCard(request)),
      }),
    );
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

  async submitted(request: AccessRequest): Promise<void> {
    await this.quietly(request, 'tell the requester', async () =>
      this.dms.send(
        request.requester.slackUserId,
        requestSubmittedDm(request, await this.link(request)),
      ),
    );
  }

  async progress(request: AccessRequest, steps: StepState[]): Promise<void> {
    const { card } = request;
    if (!card) return;
    // chat.update allows about 50 calls a minute: a bulk request with hundreds of steps updates
    // at most once a second, but always shows a failure and the final state. Short requests
    // show every step.
    const ongoing = steps.some((step) => step.state === 'waiting' || step.state === 'running');
    const failed = steps.some((step) => step.state === 'failed');
    const last = this.progressAt.get(request.id) ?? 0;
    const long = steps.length > SHORT_REQUEST_STEPS;
    const tooSoon = Date.now() - last < PROGRESS_INTERVAL_MS;
    if (long && ongoing && !failed && this.progressTs.has(request.id) && tooSoon) return;
    setBounded(this.progressAt, request.id, Date.now(), CACHE_ENTRIES);
    const body = checkedMessage(progressMessage(request, steps));
    await this.quietly(request, 'post progress', async () => {
      const ts = this.progressTs.get(request.id);
      if (ts) {
        await this.client.chat.update({ channel: card.channel, ts, ...body });
        return;
      }
      const answer = posted.parse(
        await this.client.chat.postMessage({ channel: card.channel, thread_ts: card.ts, ...body }),
      );
      setBounded(this.progressTs, request.id, answer.ts, CACHE_ENTRIES);
    });
  }

  async finished(request: AccessRequest, summary: string): Promise<void> {
    this.progressTs.delete(request.id);
    this.progressAt.delete(request.id);
    const { card } = request;
    if (card) {
      await this.quietly(request, 'post the result', async () => {
        for (const message of resultMessages(request, summary)) {
          await this.client.chat.postMessage({
            channel: card.channel,
            thread_ts: card.ts,
            ...checkedMessage(message),
          });
        }
      });
    }
    await this.quietly(request, 'tell the requester the outcome', async () =>
      this.dms.send(
        request.requester.slackUserId,
        requesterOutcomeDm(request, summary, await this.link(request)),
      ),
    );
  }

  async ended(request: AccessRequest, summary: string): Promise<void> {
    // A requester who cancelled knows; everyone else hears the outcome.
    if (request.decision?.by.slackUserId === request.requester.slackUserId) return;
    await this.quietly(request, 'tell the requester the outcome', async () =>
      this.dms.send(
        request.requester.slackUserId,
        requesterOutcomeDm(request, summary, await this.link(request)),
      ),
    );
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
    await this.dms.send(delivery.slackUserId, temporaryPasswordDm(delivery));
  }

  async sendApiKey(delivery: ApiKeyDelivery): Promise<void> {
    await this.dms.send(delivery.slackUserId, apiKeyDm(delivery));
  }

  async remindKeyExpiry(slackUserId: string, key: ApiKeyMetadata, expiry: Date): Promise<void> {
    await this.dms.send(slackUserId, expiryReminderDm(key, expiry));
  }
}
