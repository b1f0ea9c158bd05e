import type { ApiKeyParams } from '../../domain/request';
import { clip } from '../../views/fit';
import { code, escapeMrkdwn, slackDate } from '../../views/mrkdwn';
import type { KindDefinition } from '../kind';
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
