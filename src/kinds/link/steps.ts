import type { SlackLink } from '../../auth/identity';
import { DomainError } from '../../domain/errors';
import { type AccessRequest, expectKind } from '../../domain/request';
import type { KindExecutor, Step, StepContext } from '../../workflow/steps';

export interface LinkPorts {
  /** `taken`: the Slack user or the VAMS user is linked to someone else; nothing was written. */
  link(
    slackUserId: string,
    vamsUserId: string,
    linkedBy: string,
    options: { requestId: string; at: Date },
  ): Promise<'linked' | 'taken'>;
  linkOf(slackUserId: string): Promise<SlackLink | undefined>;
}

const WRITE_LINK = 'write-link';

const paramsOf = (request: AccessRequest) => expectKind(request, 'link').params;

function linkedDetail(context: StepContext) {
  const { slackUserId, vamsUserId } = paramsOf(context.request);
  return [{ slackUserId }, { text: ` is linked to VAMS user ${vamsUserId}` }];
}

/** `/vams link`: one write of both link items; the identity rules honour it from then on. */
export function linkExecutor(ports: LinkPorts): KindExecutor {
  const write: Step = {
    name: WRITE_LINK,
    label: 'Link the Slack account to the VAMS user',
    run: async (context) => {
      const { slackUserId, vamsUserId } = paramsOf(context.request);
      const outcome = await ports.link(
        slackUserId,
        vamsUserId,
        context.request.requester.slackUserId,
        { requestId: context.request.id, at: context.now },
      );
      if (outcome === 'taken') {
        throw new DomainError(
          'link-taken',
          `The Slack account or VAMS user ${vamsUserId} was linked to someone else meanwhile; remove that link with \`/vams unlink\` first.`,
        );
      }
      return { detail: linkedDetail(context) };
    },
    // Written by this request before a crash: nothing to do again.
    reconcile: async (context) => {
      const { slackUserId, vamsUserId } = paramsOf(context.request);
      const link = await ports.linkOf(slackUserId);
      return link?.vamsUserId === vamsUserId && link.requestId === context.request.id
        ? { detail: linkedDetail(context) }
        : undefined;
    },
  };
  return {
    steps: () => [write],
    summary: (request) => {
      const { slackUserId, vamsUserId } = paramsOf(request);
      return `Slack user ${slackUserId} is linked to VAMS user ${vamsUserId}: they act as ${vamsUserId}, with its roles, from now on. \`/vams unlink\` removes the link at once.`;
    },
  };
}
