import { listWithin } from '../../views/fit';
import { code } from '../../views/mrkdwn';
import { type KindDefinition, withCognito } from '../kind';
import { onboardingExecutor } from './steps';

/** `/vams user create`: a Cognito user as VAMS creates it, then its VAMS role rows. */
export const onboardingKind: KindDefinition<'user.create'> = {
  kind: 'user.create',
  title: 'Onboarding',
  filing: { by: 'anyone' },
  approval: { managers: true, approvals: 'one' },
  subjects: (request) => [request.params.userId],
  grants: (request) => request.params.roles,
  cardFields: ({ params }) => [
    `*User ID*\n${code(params.userId)}`,
    `*Email*\n${code(params.email)}`,
    `*Phone number*\n${params.phone ? code(params.phone) : '—'}`,
    // Section fields hold 2000 characters; an onboarding may name many long roles.
    `*Roles*\n${listWithin(params.roles.map(code), ', ', 1900)}`,
  ],
  executor: (services) =>
    withCognito(services, (cognito) =>
      onboardingExecutor({
        cognito,
        userRoles: services.userRoles,
        courier: services.courier,
        delivery: services.delivery,
      }),
    ),
};
