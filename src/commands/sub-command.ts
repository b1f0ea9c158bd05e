import type { Identity } from '../auth/identity';
import type { MessageBody } from '../views/message';

/**
 * Who `/vams help` shows a sub-command to, with the roles they hold now: anyone, people mapped
 * to a VAMS user, admins, admins and managers, or a rule of its own. Running it checks again.
 */
export type Audience =
  | 'anyone'
  | 'mapped'
  | 'admins'
  | 'admins-and-managers'
  | ((identity: Identity) => boolean);

/** One `/vams …` sub-command: what help shows, and what runs. */
export interface SubCommand {
  /** The words that select it, e.g. `whoami` or `user create`. */
  name: string;
  usage: string;
  summary: string;
  /** Absent: anyone. */
  audience?: Audience;
  run(invocation: Invocation): Promise<void>;
}

export interface Invocation {
  slackUserId: string;
  teamId: string | undefined;
  channelId: string;
  triggerId: string;
  /** The words after the sub-command's name. */
  args: string[];
  /** Acknowledges the command; a body is shown to the caller only. Call once, within 3 s. */
  ack(body?: MessageBody): Promise<void>;
  /** After the ack: a message only the caller sees. */
  reply(body: MessageBody): Promise<void>;
}
