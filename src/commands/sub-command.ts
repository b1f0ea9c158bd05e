import type { MessageBody } from '../views/message';

/** One `/vams …` sub-command: what help shows, and what runs. */
export interface SubCommand {
  /** The words that select it, e.g. `whoami` or `user create`. */
  name: string;
  usage: string;
  summary: string;
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
