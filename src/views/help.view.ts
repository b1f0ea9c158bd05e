import type { KnownBlock } from '@slack/types';
import type { MessageBody } from './message';

export interface CommandSummary {
  usage: string;
  summary: string;
}

/** The commands someone may use; `unmapped`: they are not a VAMS user, so that is all. */
export function helpMessage(commands: readonly CommandSummary[], unmapped = false): MessageBody {
  const lines = [
    ...commands.map((command) => `\`${command.usage}\` — ${command.summary}`),
    ...(unmapped
      ? [
          '_You are not mapped to a VAMS user, so this is all you can use; `/vams whoami` says why._',
        ]
      : []),
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'vams-chatops commands' } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Every change is a request that a VAMS admin approves in the approvals channel. Secrets come only by DM.',
        },
      ],
    },
  ];
  return { text: `vams-chatops commands:\n${lines.join('\n')}`, blocks };
}

export function usageErrorMessage(problem: string, usage: string): MessageBody {
  const text = `${problem} Usage: \`${usage}\`. \`/vams help\` lists every command.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
