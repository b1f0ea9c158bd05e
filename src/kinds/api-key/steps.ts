import { z } from 'zod';
import type { ApiKeyMetadata, NewApiKeyItem } from '../../domain/api-key';
import { DomainError } from '../../domain/errors';
import { type AccessRequest, type ApiKeyParams, outputOf } from '../../domain/request';
import { API_KEY_NAME, apiKeyHash, newApiKeyValue, zonedInstant } from '../../vams/api-key-format';
import { logAuthChange } from '../../workflow/auth-changes';
import type { KindExecutor, Step } from '../../workflow/steps';
import { LeaseLostError } from '../../workflow/steps';
import { keyNameProblem } from './key-rules';

/** One key value on its way to the one person who may see it. */
export interface ApiKeyDelivery {
  /** The request it is delivered for: its DM is tagged with it, to be found after a crash. */
  requestId: string;
  slackUserId: string;
  value: string;
  apiKeyId: string;
  name: string;
  ownerUserId: string;
  expiresAt: string;
  replacesName?: string;
}

export interface ApiKeyPorts {
  apiKeys: {
    get(apiKeyId: string): Promise<ApiKeyMetadata | undefined>;
    putInactive(key: NewApiKeyItem, at: Date): Promise<void>;
    activate(apiKeyId: string, apiKeyHash: string, at: Date): Promise<void>;
    remove(apiKeyId: string): Promise<boolean>;
    deactivate(apiKeyId: string, at: Date): Promise<'deactivated' | 'already inactive'>;
    idsNamed(name: string): Promise<string[]>;
    updateDetails(
      apiKeyId: string,
      change: { description: string; expiresAt: string },
      at: Date,
    ): Promise<boolean>;
    reactivate(apiKeyId: string, at: Date): Promise<'reactivated' | 'already active' | 'gone'>;
  };
  /** Why the owner cannot use a key now (no role, or only MFA-required ones); undefined if fine. */
  ownerProblem(ownerUserId: string): Promise<string | undefined>;
  /**
   * Why this Slack person may not receive a key of VAMS user `vamsUserId` (the identity rules,
   * and being that user); undefined when they may.
   */
  recipientProblem(slackUserId: string, vamsUserId: string): Promise<string | undefined>;
  /** Sends the value by DM; throws when it cannot be delivered. */
  sendApiKey(delivery: ApiKeyDelivery): Promise<void>;
  /** Marks the key DMs sent to these people for this request as replaced. */
  retireKeyDms(requestId: string, slackUserIds: readonly string[]): Promise<number>;
  newValue?: () => string;
}

// Summaries are escaped where they are shown; this only marks a value as one.
function quoted(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function keyParams(request: AccessRequest): ApiKeyParams & { replacesName?: string } {
  if (request.kind === 'key.create' || request.kind === 'key.rotate') return request.params;
  throw new Error(`an API key step was given a ${request.kind} request (${request.id})`);
}

const DELIVER_KEY = 'deliver-key';

/** What the delivery step hands on: who got the value, and why not its owner when so. */
const keyDelivered = z.object({
  slackUserId: z.string(),
  insteadOfOwner: z.string().optional(),
});
type KeyDelivered = z.infer<typeof keyDelivered>;

/**
 * Who gets the value, vetted now, however long ago the request was filed: the person chosen
 * then (`deliverTo`) if they still pass the identity rules as the VAMS user they were chosen
 * for; else, when that was the owner, the admin who asked. Throws when nobody may have it.
 */
async function keyRecipient(
  ports: ApiKeyPorts,
  request: AccessRequest,
): Promise<{ slackUserId: string; insteadOfOwner?: string }> {
  const { deliverTo, ownerUserId } = keyParams(request);
  const { requester } = request;
  const toRequester = deliverTo === requester.slackUserId;
  const problem = await ports.recipientProblem(
    deliverTo,
    toRequester ? requester.vamsUserId : ownerUserId,
  );
  if (!problem) return { slackUserId: deliverTo };
  if (toRequester)
    throw new DomainError(
      'no-key-recipient',
      `the key was not created: nobody may receive it (${problem})`,
    );
  const requesterProblem = await ports.recipientProblem(
    requester.slackUserId,
    requester.vamsUserId,
  );
  if (requesterProblem)
    throw new DomainError(
      'no-key-recipient',
      `the key was not created: nobody may receive it (${problem}; ${requesterProblem})`,
    );
  return { slackUserId: requester.slackUserId, insteadOfOwner: problem };
}

/**
 * A key is written inactive, its value goes by DM, and only then is it switched on: a key nobody
 * received is never usable. The value lives in this step's memory only, so a step that has to
 * run again (after a crash or a failed DM) removes the unreachable key and makes a new one.
 */
export function apiKeyExecutor(ports: ApiKeyPorts): KindExecutor {
  const newValue = ports.newValue ?? newApiKeyValue;

  const checkOwner: Step = {
    name: 'check-owner',
    label: 'Check the owner and the name',
    run: async (context) => {
      const { ownerUserId, name, apiKeyId, expiresAt } = keyParams(context.request);
      const expiry = zonedInstant(expiresAt);
      if (expiry && expiry.getTime() <= context.now.getTime())
        throw new DomainError(
          'key-expiry-passed',
          `the chosen expiry (${expiresAt}) passed before the request was approved; ask again with a later date`,
        );
      // The dialog checks it too; here it stops any request whose name VAMS would refuse.
      if (!API_KEY_NAME.test(name)) throw new DomainError('key-name-refused', keyNameProblem(name));
      const problem = await ports.ownerProblem(ownerUserId);
      if (problem) throw new DomainError('key-owner-unusable', problem);
      const others = (await ports.apiKeys.idsNamed(name)).filter((id) => id !== apiKeyId);
      if (others.length > 0)
        throw new DomainError(
          'key-name-taken',
          `another API key took the name "${name}" since this was asked for`,
        );
      return `${ownerUserId} holds a role that works with API keys; the name is free`;
    },
  };

  const deliver: Step = {
    name: DELIVER_KEY,
    label: 'Create the key and deliver it by DM',
    run: async (context) => {
      const params = keyParams(context.request);
      if (await ports.apiKeys.remove(params.apiKeyId)) {
        // Written by an earlier attempt whose value is gone: nobody can hold it.
        logAuthChange(context.log, 'apiKeyDelete', context.request, {
          apiKeyId: params.apiKeyId,
          why: 'value never confirmed delivered; replaced',
        });
      }
      const recipient = await keyRecipient(ports, context.request);
      // An earlier run may have DM'd a value before it died; that key was just removed.
      if (context.resumed) {
        const { requester } = context.request;
        await ports.retireKeyDms(context.request.id, [
          params.deliverTo,
          requester.slackUserId,
          recipient.slackUserId,
        ]);
      }
      const value = newValue();
      const hash = apiKeyHash(value);
      await ports.apiKeys.putInactive(
        {
          apiKeyId: params.apiKeyId,
          apiKeyName: params.name,
          apiKeyHash: hash,
          description: params.description,
          userId: params.ownerUserId,
          createdBy: context.request.requester.vamsUserId,
          expiresAt: params.expiresAt,
        },
        context.now,
      );
      logAuthChange(context.log, 'apiKeyCreate', context.request, {
        apiKeyId: params.apiKeyId,
        apiKeyName: params.name,
        userId: params.ownerUserId,
        expiresAt: params.expiresAt,
        isActive: false,
      });
      try {
        await context.fence();
        await ports.sendApiKey({
          requestId: context.request.id,
          slackUserId: recipient.slackUserId,
          value,
          apiKeyId: params.apiKeyId,
          name: params.name,
          ownerUserId: params.ownerUserId,
          expiresAt: params.expiresAt,
          ...(params.replacesName ? { replacesName: params.replacesName } : {}),
        });
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        context.log.warn({ err: error, apiKeyId: params.apiKeyId }, 'API key DM failed');
        throw new DomainError(
          'key-not-delivered',
          `the key could not be delivered by DM to ${recipient.slackUserId}, so it was left inactive and nobody can use it (Retry makes a new one)`,
        );
      }
      // Only the runner holding the request switches a key on: the value it DM'd is the one.
      await context.fence();
      await ports.apiKeys.activate(params.apiKeyId, hash, context.now);
      logAuthChange(context.log, 'apiKeyUpdate', context.request, {
        apiKeyId: params.apiKeyId,
        isActive: true,
      });
      const instead = recipient.insteadOfOwner
        ? `, the admin who asked, instead of its owner: ${recipient.insteadOfOwner}`
        : '';
      const output: KeyDelivered = {
        slackUserId: recipient.slackUserId,
        ...(recipient.insteadOfOwner ? { insteadOfOwner: recipient.insteadOfOwner } : {}),
      };
      return {
        detail: [
          { text: 'delivered by DM to ' },
          { slackUserId: recipient.slackUserId },
          { text: `${instead}; key ${params.apiKeyId} is active` },
        ],
        output,
      };
    },
    // Switched on only after the DM went out: an active key was delivered. The recipient is
    // named by id here, not mentioned: this only runs after a crash.
    reconcile: async (context) => {
      const { apiKeyId, deliverTo } = keyParams(context.request);
      const key = await ports.apiKeys.get(apiKeyId);
      return key?.active ? `delivered by DM to ${deliverTo}; key ${apiKeyId} is active` : undefined;
    },
  };

  const retireOld: Step = {
    name: 'deactivate-old-key',
    label: 'Deactivate the old key',
    run: async (context) => {
      if (context.request.kind !== 'key.rotate') throw new Error('not a rotation');
      const { replacesApiKeyId } = context.request.params;
      const outcome = await ports.apiKeys.deactivate(replacesApiKeyId, context.now);
      logAuthChange(context.log, 'apiKeyUpdate', context.request, {
        apiKeyId: replacesApiKeyId,
        isActive: false,
      });
      return outcome === 'deactivated'
        ? `${replacesApiKeyId} deactivated`
        : `${replacesApiKeyId} was already inactive`;
    },
  };

  return {
    steps: (request) =>
      request.kind === 'key.rotate' ? [checkOwner, deliver, retireOld] : [checkOwner, deliver],
    summary: (request) => {
      const params = keyParams(request);
      const insteadOfOwner = outputOf(request, DELIVER_KEY, keyDelivered)?.insteadOfOwner;
      const toRequester =
        insteadOfOwner !== undefined || params.deliverTo === request.requester.slackUserId;
      const ownerAsked = request.requester.vamsUserId === params.ownerUserId;
      const recipient = toRequester && !ownerAsked ? 'the admin who asked' : 'its owner';
      const why = insteadOfOwner ? ` Not to its owner: ${insteadOfOwner}.` : '';
      const made = `API key ${quoted(params.name)} (${params.apiKeyId}) of ${quoted(params.ownerUserId)} was delivered by DM to ${recipient}; it expires ${params.expiresAt}.${why}`;
      if (request.kind !== 'key.rotate') return made;
      return `${made} The key it replaces, ${quoted(request.params.replacesName)}, is deactivated; VAMS may still accept it for about 45 seconds.`;
    },
  };
}
