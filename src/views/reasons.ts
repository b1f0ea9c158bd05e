import type { RefusalReason } from '../auth/identity';
import { code } from './mrkdwn';

const LINK_COMMAND = code('/vams link @you <your VAMS user ID>');
const LINK_HINT = `Ask an admin to link your Slack account: ${LINK_COMMAND}.`;

/** What a person reads when their Slack account does not map to a VAMS user. */
export function explainRefusal(reason: RefusalReason, email: string | undefined): string {
  switch (reason) {
    case 'unknown-slack-user':
      return 'Slack could not tell who you are, so nothing can be done on your behalf.';
    case 'bot':
      return 'Bots cannot use vams-chatops.';
    case 'deleted':
      return 'This Slack account is deactivated.';
    case 'guest':
      return 'Guest accounts cannot use vams-chatops.';
    case 'foreign-workspace':
      return 'Your account belongs to another workspace (Slack Connect); only members of this workspace can use vams-chatops.';
    case 'no-confirmed-email':
      return `Your Slack profile has no confirmed email, so it cannot be matched to a VAMS user. ${LINK_HINT}`;
    case 'no-match':
      return `Your Slack email ${code(email ?? '')} is neither a VAMS user ID nor the email of a Cognito user. Ask an admin to onboard you (\`/vams user create\`), or to link your Slack account: ${LINK_COMMAND}.`;
    case 'ambiguous-email':
      return `Your Slack email ${code(email ?? '')} matches more than one VAMS user (user IDs that differ only in case, or Cognito users sharing that email), so vams-chatops will not guess which one you are. ${LINK_HINT}`;
  }
}
