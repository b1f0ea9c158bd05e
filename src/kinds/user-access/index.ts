import { code } from '../../views/mrkdwn';
import { type ApprovalRules, type KindDefinition, type KindServices, withCognito } from '../kind';
import { userAccessExecutor } from './steps';

const approval: ApprovalRules = { managers: false, approvals: 'one' };
const subjects = (request: { params: { userId: string } }) => [request.params.userId];
const cardFields = (request: { subject: string }) => [`*User ID*\n${code(request.subject)}`];
const executorOf =
  (kind: 'user.disable' | 'user.enable' | 'user.signout') => (services: KindServices) =>
    withCognito(services, (cognito) =>
      userAccessExecutor(kind, { cognito, apiKeys: services.apiKeys }),
    );

/** `/vams user disable`: the Cognito user disabled and every active API key deactivated. */
export const userDisableKind: KindDefinition<'user.disable'> = {
  kind: 'user.disable',
  title: 'Disable user',
  filing: { by: 'admins', ownAccount: 'refused' },
  approval,
  subjects,
  cardFields,
  executor: executorOf('user.disable'),
};

/** `/vams user enable`: the Cognito user enabled again; its keys stay off. */
export const userEnableKind: KindDefinition<'user.enable'> = {
  kind: 'user.enable',
  title: 'Enable user',
  filing: { by: 'admins' },
  approval,
  subjects,
  cardFields,
  executor: executorOf('user.enable'),
};

/** `/vams user signout`: every refresh token of the user revoked. */
export const userSignoutKind: KindDefinition<'user.signout'> = {
  kind: 'user.signout',
  title: 'Sign-out',
  filing: { by: 'admins', ownAccount: 'refused' },
  approval,
  subjects,
  cardFields,
  executor: executorOf('user.signout'),
};
