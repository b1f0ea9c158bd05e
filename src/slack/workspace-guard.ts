import type { AnyMiddlewareArgs, App } from '@slack/bolt';
import { z } from 'zod';
import type { AppLogger } from '../logging';

const payloadTeams = z.object({
  team_id: z.string().optional(),
  team: z.object({ id: z.string() }).nullish(),
  user: z.object({ team_id: z.string().optional() }).optional(),
});

/** Every workspace a payload names: where it happened and where the person comes from. */
export function teamsOf(body: unknown): string[] {
  const parsed = payloadTeams.safeParse(body);
  if (!parsed.success) return [];
  const { team_id, team, user } = parsed.data;
  return [team_id, team?.id, user?.team_id].filter((team): team is string => team !== undefined);
}

export const FOREIGN_WORKSPACE_TEXT =
  'vams-chatops only serves members of its own workspace; nothing was done.';

/**
 * Buttons are visible to everyone in a shared channel, Slack Connect guests included: anything
 * from another workspace is acknowledged (so Slack shows no error) and dropped.
 */
export function registerWorkspaceGuard(app: App, homeTeamId: string, logger: AppLogger): void {
  app.use(async (args: AnyMiddlewareArgs & { next: () => Promise<void> }) => {
    const foreign = teamsOf(args.body).filter((team) => team !== homeTeamId);
    if (foreign.length === 0) {
      await args.next();
      return;
    }
    logger.warn({ teams: foreign }, 'refused a request from another workspace');
    if ('ack' in args && args.ack) {
      await ('command' in args
        ? args.ack({ response_type: 'ephemeral', text: FOREIGN_WORKSPACE_TEXT })
        : args.ack());
    }
  });
}
