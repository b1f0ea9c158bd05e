import type { Identity } from '../auth/identity';
import { type RolePolicy, standingOf } from '../auth/roles';
import { whoamiMessage } from '../views/whoami.view';
import type { SubCommand } from './sub-command';

export type Identify = (slackUserId: string, teamId: string | undefined) => Promise<Identity>;

export function whoamiCommand(identify: Identify, policy: RolePolicy): SubCommand {
  return {
    name: 'whoami',
    usage: '/vams whoami',
    summary: 'your Slack → VAMS mapping and your VAMS roles',
    run: async (invocation) => {
      await invocation.ack();
      const identity = await identify(invocation.slackUserId, invocation.teamId);
      const roles = identity.mapped ? identity.roles : [];
      await invocation.reply(whoamiMessage(identity, standingOf(roles, policy)));
    },
  };
}
