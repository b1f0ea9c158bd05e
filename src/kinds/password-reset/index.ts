import { code } from '../../views/mrkdwn';
import { type KindDefinition, withCognito } from '../kind';
import { passwordResetExecutor } from './steps';

/** `/vams user reset-password`: the user stays; a new temporary password goes out. */
export const passwordResetKind: KindDefinition<'user.reset-password'> = {
  kind: 'user.reset-password',
  title: 'Password reset',
  filing: { by: 'admins', ownAccount: 'anyone' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.userId],
  cardFields: (request) => [`*User ID*\n${code(request.subject)}`],
  executor: (services) =>
    withCognito(services, (cognito) =>
      passwordResetExecutor({ cognito, courier: services.courier, delivery: services.delivery }),
    ),
};
