import type { MessageBody } from './message';

/**
 * What a secret's DM says once a resumed request sent a new one in its place: the value in it
 * never became usable, so the person knows which message holds the live one.
 */
export function replacedSecretDm(secret: 'api-key' | 'password', requestId: string): MessageBody {
  const what = secret === 'api-key' ? 'API key' : 'temporary password';
  const text = `The ${what} that was here was replaced and never became usable: the bot was interrupted while delivering it for request *${requestId}*, and sent a new one in a newer message.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
