import { code } from '../../views/mrkdwn';
import { type KindDefinition, withCognito } from '../kind';
import { userUpdateExecutor } from './steps';

/** `/vams user update`: only the contact attributes that change. */
export const userUpdateKind: KindDefinition<'user.update'> = {
  kind: 'user.update',
  title: 'User update',
  filing: { by: 'admins' },
  approval: { managers: false, approvals: 'one' },
  subjects: (request) => [request.params.userId],
  // The new values only; the pre-flight shows what they replace.
  cardFields: ({ params }) => [
    `*User ID*\n${code(params.userId)}`,
    ...(params.email !== undefined ? [`*Email*\n${code(params.email)}`] : []),
    ...(params.phone !== undefined ? [`*Phone number*\n${code(params.phone)}`] : []),
    ...(params.removePhone ? ['*Phone number*\nremove it'] : []),
  ],
  executor: (services) => withCognito(services, (cognito) => userUpdateExecutor(cognito)),
};
