import type { ApiKeyParams } from '../../domain/request';
import { zonedInstant } from '../../vams/api-key-format';
import { clip } from '../../views/fit';
import { code, escapeMrkdwn, slackDate } from '../../views/mrkdwn';
import type { KindDefinition } from '../kind';
import { keyReactivateExecutor, keyUpdateExecutor } from './key-changes';
import { apiKeyExecutor } from './steps';

function keyFields(params: ApiKeyParams): string[] {
  return [
    `*Owner*\n${code(params.ownerUserId)}`,
    `*Name*\n${code(params.name)}`,
    `*Description*\n${clip(escapeMrkdwn(params.description), 1900)}`,
    `*Key expires*\n${slackDate(params.expiresAt)}`,
    `*Delivered to*\n<@${params.deliverTo}> by DM`,
  ];
}

/** `/vams key request` and `create`: a new VAMS API key, delivered by DM. */
export const apiKeyCreateKind: KindDefinition<'key.create'> = {
  kind: 'key.create',
  title: 'API key',
  // Anyone may ask for a key of their own; a key for someone else is for admins to ask.
  filing: { by: 'admins', ownAccount: 'anyone' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.ownerUserId],
  // A key acts with every role its owner holds: a key for an admin is an admin credential.
  privilegeHolder: (request) => request.params.ownerUserId,
  cardFields: (request) => keyFields(request.params),
  executor: (services) => apiKeyExecutor(services.keys),
};

/** `/vams key rotate`: a new key like the old one, which is deactivated once it is delivered. */
export const apiKeyRotateKind: KindDefinition<'key.rotate'> = {
  kind: 'key.rotate',
  title: 'API key rotation',
  filing: { by: 'admins', ownAccount: 'anyone' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.ownerUserId],
  privilegeHolder: (request) => request.params.ownerUserId,
  cardFields: (request) => [
    ...keyFields(request.params),
    `*Replaces*\n${code(request.params.replacesName)} (deactivated once the new key is delivered)`,
  ],
  executor: (services) => apiKeyExecutor(services.keys),
};

/** `/vams key update` past the current expiry: a key kept working longer, once approved. */
export const apiKeyUpdateKind: KindDefinition<'key.update'> = {
  kind: 'key.update',
  title: 'API key extension',
  filing: { by: 'admins', ownAccount: 'anyone' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.ownerUserId],
  privilegeHolder: (request) => request.params.ownerUserId,
  cardFields: (request) => [
    `*Owner*\n${code(request.params.ownerUserId)}`,
    `*Name*\n${code(request.params.name)}`,
    `*Description*\n${clip(escapeMrkdwn(request.params.description), 1900)}`,
    `*Expires*\n${slackDate(request.params.expiresAt)}, was ${
      zonedInstant(request.params.previousExpiresAt)
        ? slackDate(request.params.previousExpiresAt)
        : 'never'
    }`,
  ],
  executor: (services) => keyUpdateExecutor(services.keys),
};

/** `/vams key reactivate`: a deactivated key works again, once approved. */
export const apiKeyReactivateKind: KindDefinition<'key.reactivate'> = {
  kind: 'key.reactivate',
  title: 'API key reactivation',
  filing: { by: 'admins', ownAccount: 'anyone' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.ownerUserId],
  privilegeHolder: (request) => request.params.ownerUserId,
  cardFields: (request) => [
    `*Owner*\n${code(request.params.ownerUserId)}`,
    `*Name*\n${code(request.params.name)}`,
    `*Key id*\n${code(request.params.apiKeyId)}`,
  ],
  executor: (services) => keyReactivateExecutor(services.keys),
};
