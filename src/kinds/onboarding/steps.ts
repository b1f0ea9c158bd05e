import type { NewCognitoUser } from '../../domain/cognito-user';
import { DomainError } from '../../domain/errors';
import { expectKind, type RequestOf } from '../../domain/request';
import { temporaryPassword } from '../../vams/temporary-password';
import { logAuthChange } from '../../workflow/auth-changes';
import {
  chooseDeliveryStep,
  DELIVER_PASSWORD,
  deliversBySlack,
  dmNewTemporaryPassword,
  type PasswordCourier,
  passwordDeliveryOf,
  slackRecipient,
  type TemporaryPasswords,
} from '../../workflow/password-courier';
import type { KindExecutor, Step } from '../../workflow/steps';

export interface OnboardingPorts {
  cognito: {
    findUser(
      userId: string,
    ): Promise<
      | { email: string | undefined; phone: string | undefined; status: string | undefined }
      | undefined
    >;
    createUser(user: NewCognitoUser): Promise<'created' | 'exists'>;
    resendInvitation(userId: string): Promise<void>;
  } & TemporaryPasswords;
  userRoles: { addRole(userId: string, roleName: string, at: Date): Promise<'added' | 'existed'> };
  courier: PasswordCourier;
  delivery: 'email' | 'slack-dm';
}

/** Onboarding (`/vams user create`): the Cognito user as VAMS creates it, then its role rows. */
export function onboardingExecutor(ports: OnboardingPorts): KindExecutor {
  const chooseDelivery: Step = chooseDeliveryStep(
    'Find the new user in Slack for the temporary password',
    async (context) => expectKind(context.request, 'user.create').params.email,
    ports.courier,
  );

  const createUser = (request: RequestOf<'user.create'>): Step => {
    const { params } = request;
    const isTheOneMeant = (
      found:
        | { email: string | undefined; phone: string | undefined; status: string | undefined }
        | undefined,
    ) =>
      found !== undefined &&
      found.status === 'FORCE_CHANGE_PASSWORD' &&
      found.email?.toLowerCase() === params.email.toLowerCase() &&
      (found.phone ?? '') === (params.phone ?? '');
    return {
      name: 'cognito-create',
      label: `Create Cognito user ${request.params.userId}`,
      reconcile: async (context) => {
        const current = expectKind(context.request, 'user.create');
        const existing = await ports.cognito.findUser(current.params.userId);
        return existing && existing.email?.toLowerCase() === current.params.email.toLowerCase()
          ? 'created (found after a restart)'
          : undefined;
      },
      run: async (context) => {
        const { params } = expectKind(context.request, 'user.create');
        const bySlack = slackRecipient(context) !== undefined;
        if (await ports.cognito.findUser(params.userId)) {
          throw new DomainError(
            'user-id-taken',
            `User ID ${params.userId} was taken in the pool after the request was made`,
          );
        }
        const outcome = await ports.cognito.createUser({
          userId: params.userId,
          email: params.email,
          ...(params.phone ? { phone: params.phone } : {}),
          // Slack delivery: Cognito sends nothing; the password set here is replaced and sent
          // by DM in the last step, so no step has to carry a secret.
          suppressInvitation: bySlack,
          ...(bySlack
            ? { temporaryPassword: temporaryPassword(await ports.cognito.passwordPolicy()) }
            : {}),
        });
        // The pool had none a moment ago: either this create's answer was lost and its retry met
        // the user it made, or someone made one in between. Only the first counts as done.
        if (outcome === 'exists' && !isTheOneMeant(await ports.cognito.findUser(params.userId))) {
          throw new DomainError(
            'user-id-taken',
            `User ID ${params.userId} was taken in the pool after the request was made`,
          );
        }
        logAuthChange(context.log, 'cognitoUserCreate', context.request, {
          userId: params.userId,
          email: params.email,
          phone: params.phone ?? null,
          invitation: bySlack ? 'slack-dm' : 'email',
        });
        return bySlack
          ? 'created; invitation email suppressed'
          : 'created; Cognito emails the invitation';
      },
    };
  };

  const assignRole = (request: RequestOf<'user.create'>, roleName: string): Step => ({
    name: `role:${roleName}`,
    label: `Assign VAMS role ${roleName}`,
    run: async (context) => {
      const result = await ports.userRoles.addRole(request.params.userId, roleName, context.now);
      logAuthChange(context.log, 'userRoleCreate', context.request, {
        userId: request.params.userId,
        roleName,
        result,
      });
      return result === 'added' ? 'assigned' : 'already held';
    },
  });

  const deliverPassword: Step = {
    name: DELIVER_PASSWORD,
    label: 'Deliver the temporary password',
    run: async (context) => {
      const slackUserId = slackRecipient(context);
      if (!slackUserId) return 'Cognito emailed the invitation';
      const { userId, email } = expectKind(context.request, 'user.create').params;
      return dmNewTemporaryPassword(
        ports.cognito,
        ports.courier,
        {
          slackUserId,
          userId,
          email,
          occasion: 'welcome',
        },
        context,
      );
    },
  };

  return {
    steps: (candidate) => {
      const request = expectKind(candidate, 'user.create');
      const bySlack = deliversBySlack(request, ports.delivery);
      return [
        ...(bySlack ? [chooseDelivery] : []),
        createUser(request),
        ...request.params.roles.map((roleName) => assignRole(request, roleName)),
        ...(bySlack ? [deliverPassword] : []),
      ];
    },
    summary: (candidate) => {
      const request = expectKind(candidate, 'user.create');
      const { byDm, fallback } = passwordDeliveryOf(request);
      const delivered = byDm
        ? 'The temporary password went to them by Slack DM.'
        : fallback
          ? `The temporary password went by Cognito's email: ${fallback}.`
          : 'Cognito emailed them a temporary password.';
      return `VAMS user ${request.params.userId} was created with role${request.params.roles.length === 1 ? '' : 's'} ${request.params.roles.join(', ')}. ${delivered}`;
    },
  };
}
