import type { App } from '@slack/bolt';
import type { Identity } from '../auth/identity';
import { type RolePolicy, standingOf } from '../auth/roles';
import type { AppLogger } from '../logging';
import { clip } from '../views/fit';
import { helpMessage, usageErrorMessage } from '../views/help.view';
import type { MessageBody } from '../views/message';
import { code } from '../views/mrkdwn';
import { checkedMessage } from '../views/outgoing';
import type { Identify } from './identity.commands';
import type { Audience, Invocation, SubCommand } from './sub-command';

export const SLASH_COMMAND = '/vams';
// What is echoed of words the bot does not know: enough to spot a typo, and whatever was typed
// (up to Slack's 4,000 characters) stays within a section's 3,000.
const ECHO_LIMIT = 80;

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** One piece of Slack's markup, `<…>`, as the person typed it; user mentions stay mentions. */
function typedForm(inner: string): string {
  const [target = '', label] = inner.split('|', 2);
  // `<@U…|name>`: kept as `<@U…>`, so that a name never splits the words.
  if (target.startsWith('@')) return `<${target}>`;
  // `<#C…|general>` and `<!subteam^S…|@team>`: what was typed. `<!here>`: `@here`.
  if (target.startsWith('#')) return label === undefined ? target : `#${decodeEntities(label)}`;
  if (target.startsWith('!'))
    return label === undefined ? `@${target.slice(1)}` : decodeEntities(label);
  // `<mailto:pete@example.com|pete@example.com>`, `<http://example.com|example.com>`: the label.
  return decodeEntities(label ?? target.replace(/^mailto:/, ''));
}

/**
 * Slack escapes `&`, `<` and `>` in a command's text, so a `<` there starts its own markup:
 * with the command's `should_escape`, typed mentions, channels, emails and links arrive as
 * `<@U…|name>`, `<#C…|name>`, `<mailto:…|…>`, `<http…|…>`. Each comes back as what was typed,
 * except user mentions, which keep the Slack user ID.
 */
export function fromSlackText(text: string): string {
  return text
    .split(/(<[^<>]*>)/)
    .map((part) =>
      part.startsWith('<') && part.endsWith('>')
        ? typedForm(part.slice(1, -1))
        : decodeEntities(part),
    )
    .join('');
}

export function findSubCommand(
  commands: readonly SubCommand[],
  words: readonly string[],
): { command: SubCommand; args: string[] } | undefined {
  const lowered = words.map((word) => word.toLowerCase());
  // Longest name first, so `user create` wins over a bare `user`.
  const byLength = [...commands].sort(
    (a, b) => b.name.split(' ').length - a.name.split(' ').length,
  );
  for (const command of byLength) {
    const nameWords = command.name.split(' ');
    if (nameWords.every((word, index) => lowered[index] === word)) {
      return { command, args: words.slice(nameWords.length) };
    }
  }
  return undefined;
}

export function unknownCommandMessage(
  commands: readonly SubCommand[],
  words: readonly string[],
): MessageBody {
  const [first, second] = words;
  // VAMS's own word for it; here a user leaves through offboarding, which also takes their
  // roles and keys away.
  if (first?.toLowerCase() === 'user' && second?.toLowerCase() === 'delete') {
    const text = `There is no \`/vams user delete\`: use \`/vams user offboard <userId>\`, which removes the user's VAMS roles and API keys, signs them out, then deletes or disables the Cognito user (needs an approval).`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const family = commands.filter(
    (command) => first && command.name.startsWith(`${first.toLowerCase()} `),
  );
  const problem = `Unknown command ${code(clip(words.join(' '), ECHO_LIMIT))}.`;
  if (family.length === 0) {
    const text = `${problem} \`/vams help\` lists the commands.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  return usageErrorMessage(problem, family.map((command) => command.usage).join('`, `'));
}

/** Whether `/vams help` shows a sub-command to this person, with their roles now. */
export function shownTo(
  audience: Audience | undefined,
  identity: Identity,
  policy: RolePolicy,
): boolean {
  if (audience === undefined || audience === 'anyone') return true;
  if (typeof audience === 'function') return audience(identity);
  if (!identity.mapped) return false;
  const standing = standingOf(identity.roles, policy);
  switch (audience) {
    case 'mapped':
      return true;
    case 'admins':
      return standing.isAdmin;
    case 'admins-and-managers':
      return standing.isAdmin || standing.isManager;
  }
}

export interface HelpSources {
  identify: Identify;
  policy: RolePolicy;
  logger: AppLogger;
}

/**
 * `/vams …`: one slash command, routed to its sub-commands; `help` is built in and lists what
 * the asker may use. A sub-command that throws is answered by the listener guard.
 */
export function registerVamsCommand(
  app: App,
  features: readonly SubCommand[],
  sources: HelpSources,
): void {
  const help: SubCommand = {
    name: 'help',
    usage: '/vams help',
    summary: 'this list: the commands you may use',
    // The ack goes at once; who asks is looked up after it, within the reply's 30 minutes.
    run: async (invocation) => {
      await invocation.ack();
      let identity: Identity | undefined;
      try {
        identity = await sources.identify(invocation.slackUserId, invocation.teamId);
      } catch (error) {
        sources.logger.warn({ err: error }, 'could not tell who asked for help; listing it all');
      }
      const shown = identity
        ? commands.filter((command) => shownTo(command.audience, identity, sources.policy))
        : commands;
      await invocation.reply(helpMessage(shown, identity?.mapped === false));
    },
  };
  const commands = [help, ...features];

  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    const words = fromSlackText(command.text)
      .trim()
      .split(/\s+/)
      .filter((word) => word.length > 0);
    const found = findSubCommand(commands, words.length > 0 ? words : ['help']);
    const invocation: Invocation = {
      slackUserId: command.user_id,
      teamId: command.team_id,
      channelId: command.channel_id,
      triggerId: command.trigger_id,
      args: found?.args ?? [],
      ack: async (body) => {
        await (body ? ack({ response_type: 'ephemeral', ...checkedMessage(body) }) : ack());
      },
      reply: async (body) => {
        await respond({ response_type: 'ephemeral', ...checkedMessage(body) });
      },
    };
    if (!found) {
      await invocation.ack(unknownCommandMessage(commands, words));
      return;
    }
    await found.command.run(invocation);
  });
}
