import type { FilingAsk, FilingRefusal } from '../auth/filing-policy';
import { code } from './mrkdwn';
import { explainRefusal } from './reasons';

/** What someone not mapped to a VAMS user was trying to do, after "You cannot ". */
function unmappedAttempt(ask: FilingAsk): string {
  switch (ask.kind) {
    case 'user.create':
      return 'request onboarding';
    case 'user.directory':
      return 'look users up';
    case 'key.request':
    case 'key.create':
      return 'request API keys';
    case 'key.list':
      return 'list API keys';
    case 'key.rotate':
      return 'rotate API keys';
    case 'key.revoke':
      return 'revoke API keys';
    case 'key.update':
      return 'update API keys';
    case 'key.reactivate':
      return 'reactivate API keys';
    case 'user.disable':
    case 'user.enable':
    case 'user.signout':
    case 'user.reset-password':
    case 'user.update':
    case 'user.offboard':
    case 'role.assign':
    case 'role.request':
    case 'role.remove':
      return 'make requests';
    case 'role.list':
      return 'list VAMS roles';
    case 'link':
      return 'link Slack accounts';
    case 'unlink':
      return 'remove links';
  }
}

type RefusalAsk<C extends FilingRefusal['code']> = Extract<FilingRefusal, { code: C }>['ask'];

/** Why only admins may: by what was asked. */
const ADMINS_ONLY: Partial<Record<FilingAsk['kind'], string>> = {
  'user.disable': 'Only VAMS admins can change users’ access.',
  'user.enable': 'Only VAMS admins can change users’ access.',
  'user.signout': 'Only VAMS admins can change users’ access.',
  'user.update': 'Only VAMS admins can change users’ details.',
  'user.offboard': 'Only VAMS admins can offboard people.',
  'key.create':
    'Only VAMS admins can create keys for other users; use `/vams key request` for your own.',
  'role.assign':
    'Only VAMS admins can assign roles; use `/vams role request` to ask for a time-bound role for yourself.',
  'role.remove':
    'Only VAMS admins can remove roles; use `/vams role release` to give back a grant of your own.',
  link: 'Only VAMS admins can link Slack accounts to VAMS users.',
  unlink: 'Only VAMS admins can remove someone else’s link; `/vams unlink @you` removes your own.',
};

/** What nobody may ask about themselves: by what was asked. */
const NOT_FOR_ONESELF: Partial<Record<FilingAsk['kind'], string>> = {
  'user.disable': 'You cannot disable yourself; ask another admin.',
  'user.signout': 'You cannot sign yourself out here; ask another admin.',
  'user.offboard': 'You cannot offboard yourself; ask another admin.',
  link: 'You cannot link a Slack account to your own VAMS user; ask another admin.',
};

function notTheKeyOwner(ask: RefusalAsk<'not-the-key-owner'>): string {
  if (ask.kind === 'key.list') return 'You can list your own keys only; admins can list anyone’s.';
  const verb = ask.kind.replace(/^key\./, '');
  return `API key ${code(ask.apiKeyId)} is not yours; you can ${verb} your own keys only (admins can ${verb} anyone's).`;
}

/** What a person reads when the filing policy refuses what they asked for. */
export function filingRefusalText(refusal: FilingRefusal): string {
  switch (refusal.code) {
    case 'not-mapped':
      return `You cannot ${unmappedAttempt(refusal.ask)}: ${explainRefusal(refusal.identityReason, refusal.email)}`;
    case 'not-an-admin':
      return ADMINS_ONLY[refusal.ask.kind] ?? 'Only VAMS admins can ask for this.';
    case 'not-an-admin-or-manager':
      return refusal.ask.kind === 'role.list'
        ? 'Only VAMS admins and managers can list roles; `/vams role list <your user ID>` shows your own.'
        : 'Only VAMS admins and managers can list and show users.';
    case 'own-account':
      return (
        NOT_FOR_ONESELF[refusal.ask.kind] ??
        'You cannot ask for this about yourself; ask another admin.'
      );
    case 'not-your-account':
      return `You can ask for a reset of your own password (${code(refusal.ownUserId)}) only; admins can ask for anyone's.`;
    case 'not-the-key-owner':
      return notTheKeyOwner(refusal.ask);
  }
}
