import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { type AccessRequest, outputOf, type RequestOf } from '../../domain/request';
import { zonedInstant } from '../../vams/api-key-format';
import { logAuthChange } from '../../workflow/auth-changes';
import type { KindExecutor } from '../../workflow/steps';
import type { ApiKeyPorts } from './steps';

/** What changing an existing key needs besides the key ports. */
export type KeyChangePorts = Pick<ApiKeyPorts, 'ownerProblem'> & {
  apiKeys: Pick<ApiKeyPorts['apiKeys'], 'get' | 'updateDetails' | 'reactivate'>;
};

const UPDATE = 'update-key';
const REACTIVATE = 'reactivate-key';

// Summaries are escaped where they are shown; this only marks a value as one.
const quoted = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function updateOf(request: AccessRequest): RequestOf<'key.update'> {
  if (request.kind === 'key.update') return request;
  throw new Error(`a key update step was given a ${request.kind} request (${request.id})`);
}

function reactivationOf(request: AccessRequest): RequestOf<'key.reactivate'> {
  if (request.kind === 'key.reactivate') return request;
  throw new Error(`a key reactivation step was given a ${request.kind} request (${request.id})`);
}

const changed = z.object({ expiresAt: z.string() });
const reactivated = z.object({ outcome: z.enum(['reactivated', 'already active']) });

/** `key update` past the current expiry: the new expiry and description, once approved. */
export function keyUpdateExecutor(ports: KeyChangePorts): KindExecutor {
  return {
    steps: (candidate) => {
      const { params } = updateOf(candidate);
      return [
        {
          name: UPDATE,
          label: `Extend API key ${params.name} to ${utc(params.expiresAt)}`,
          run: async (context) => {
            const key = await ports.apiKeys.get(params.apiKeyId);
            if (!key || key.userId !== params.ownerUserId) {
              throw new DomainError('key-gone', `API key ${params.name} no longer exists`);
            }
            // A key used only by a disabled or role-less owner is not to be kept alive longer.
            const problem = await ports.ownerProblem(params.ownerUserId);
            if (problem) throw new DomainError('key-owner-unusable', problem);
            const done = await ports.apiKeys.updateDetails(
              params.apiKeyId,
              { description: params.description, expiresAt: params.expiresAt },
              context.now,
            );
            if (!done) throw new DomainError('key-gone', `API key ${params.name} no longer exists`);
            logAuthChange(context.log, 'apiKeyUpdate', context.request, {
              apiKeyId: params.apiKeyId,
              userId: params.ownerUserId,
              expiresAt: params.expiresAt,
            });
            return {
              detail: `${params.name} now expires ${utc(params.expiresAt)}`,
              output: { expiresAt: params.expiresAt },
            };
          },
        },
      ];
    },
    summary: (candidate) => {
      const request = updateOf(candidate);
      const { params } = request;
      const output = outputOf(request, UPDATE, changed);
      const before = zonedInstant(params.previousExpiresAt)
        ? ` (it expired ${utc(params.previousExpiresAt)} before)`
        : '';
      return `API key ${quoted(params.name)} of ${quoted(params.ownerUserId)} now expires ${utc(output?.expiresAt ?? params.expiresAt)}${before}.`;
    },
  };
}

/** `key reactivate`: a deactivated key works again, once approved and if its owner still may. */
export function keyReactivateExecutor(ports: KeyChangePorts): KindExecutor {
  return {
    steps: (candidate) => {
      const { params } = reactivationOf(candidate);
      return [
        {
          name: REACTIVATE,
          label: `Reactivate API key ${params.name}`,
          run: async (context) => {
            const key = await ports.apiKeys.get(params.apiKeyId);
            if (!key || key.userId !== params.ownerUserId) {
              throw new DomainError('key-gone', `API key ${params.name} no longer exists`);
            }
            const problem = await ports.ownerProblem(params.ownerUserId);
            if (problem) throw new DomainError('key-owner-unusable', problem);
            const expiry = zonedInstant(key.expiresAt);
            if (expiry && expiry.getTime() <= context.now.getTime()) {
              throw new DomainError(
                'key-expiry-passed',
                `API key ${params.name} has expired; it would not work even if active. Ask for a new key with /vams key request`,
              );
            }
            const outcome = await ports.apiKeys.reactivate(params.apiKeyId, context.now);
            if (outcome === 'gone') {
              throw new DomainError('key-gone', `API key ${params.name} no longer exists`);
            }
            logAuthChange(context.log, 'apiKeyUpdate', context.request, {
              apiKeyId: params.apiKeyId,
              userId: params.ownerUserId,
              isActive: true,
            });
            return {
              detail:
                outcome === 'reactivated'
                  ? `${params.name} is active`
                  : `${params.name} was active already`,
              output: { outcome },
            };
          },
        },
      ];
    },
    summary: (candidate) => {
      const request = reactivationOf(candidate);
      const output = outputOf(request, REACTIVATE, reactivated);
      const { name, ownerUserId } = request.params;
      return output?.outcome === 'already active'
        ? `API key ${quoted(name)} of ${quoted(ownerUserId)} was active already.`
        : `API key ${quoted(name)} of ${quoted(ownerUserId)} works again (VAMS may take up to ~45 s to notice).`;
    },
  };
}
