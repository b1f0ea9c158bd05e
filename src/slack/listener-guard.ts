import { randomUUID } from 'node:crypto';
import type { AllMiddlewareArgs, AnyMiddlewareArgs, App } from '@slack/bolt';
import { z } from 'zod';
import { failureReason, isDomainError } from '../domain/errors';
import type { AppLogger } from '../logging';
import { checkedView } from '../views/outgoing';
import { noticeModal } from '../views/user-create.view';
import type { DirectMessages } from './slack-notifier';

const FAILURE_TITLE = 'Could not finish';

/** What the person reads: a domain error's own message, else only the incident reference. */
export function failureText(error: unknown, incident: string): string {
  if (isDomainError(error)) return `That did not go through: ${error.message}`;
  return `That did not go through because of ${failureReason(error, incident)}. Try again, or give an admin that reference.`;
}

const payload = z.object({
  type: z.string().optional(),
  user: z.object({ id: z.string() }).optional(),
  user_id: z.string().optional(),
  command: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string() })).optional(),
  view: z.object({ callback_id: z.string() }).optional(),
  action_id: z.string().optional(),
});

/** Who acted and which listener ran, for the log line; nothing they typed. */
function whoAndWhere(body: unknown) {
  const parsed = payload.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  return {
    slackUserId: data.user?.id ?? data.user_id,
    payload: data.type ?? 'command',
    listener:
      data.command ?? data.actions?.[0]?.action_id ?? data.view?.callback_id ?? data.action_id,
  };
}

type GuardedArgs = AnyMiddlewareArgs & AllMiddlewareArgs;

/**
 * The payloads whose ack was called. Over HTTP a second ack throws, but in Socket Mode it only
 * warns, so the guard cannot learn from the ack itself whether the listener acked already.
 */
const acked = new WeakSet<object>();

/** Every receiver hands its payloads to `processEvent`: its ack is wrapped to be remembered. */
function rememberAcks(app: App): void {
  const process = app.processEvent.bind(app);
  app.processEvent = (event) =>
    process({
      ...event,
      ack: async (response) => {
        if (typeof event.body === 'object' && event.body !== null) acked.add(event.body);
        await event.ack(response);
      },
    });
}

/**
 * Acknowledges what failed if nothing did yet. True when the ack itself told the person: a
 * command's ephemeral answer, or a dialog turned into a notice.
 */
async function acknowledge(args: GuardedArgs, text: string): Promise<boolean> {
  if (acked.has(args.body)) return false;
  try {
    if ('command' in args) {
      await args.ack({ response_type: 'ephemeral', text });
      return true;
    }
    if ('view' in args) {
      if (args.body.type !== 'view_submission') {
        await args.ack();
        return false;
      }
      await args.ack({
        response_action: 'update',
        view: checkedView(noticeModal(FAILURE_TITLE, text)),
      });
      return true;
    }
    // An empty list: saying it in an option would let the person pick the message.
    if ('options' in args) await args.ack({ options: [] });
    else if ('ack' in args && args.ack) await args.ack();
  } catch {
    // Acknowledged already, by a receiver that answers on its own.
  }
  return false;
}

/** Tells the person after the ack: where they acted (response_url) or else by DM. */
async function tell(
  args: GuardedArgs,
  dms: DirectMessages,
  slackUserId: string | undefined,
  text: string,
): Promise<void> {
  if ('respond' in args && args.respond) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
  } else if (slackUserId) {
    await dms.send(slackUserId, { text, blocks: [] });
  }
}

/**
 * The one guard around every listener: whatever throws in a command, click, dialog or picker is
 * acknowledged so Slack shows no error, and the person is told. A domain error says what
 * stopped it; anything else is logged with an incident reference, which is all the person gets.
 * The process goes on.
 */
export function registerListenerGuard(app: App, dms: DirectMessages, logger: AppLogger): void {
  rememberAcks(app);
  app.use(async (args: GuardedArgs) => {
    try {
      await args.next();
    } catch (error) {
      const incident = randomUUID().slice(0, 8);
      const where = whoAndWhere(args.body);
      const log = logger.child({ incident, ...where });
      if (isDomainError(error)) log.warn({ code: error.code }, 'a Slack listener was refused');
      else log.error({ err: error }, 'a Slack listener failed');
      const text = failureText(error, incident);
      try {
        const told = await acknowledge(args, text);
        // Typing in a picker asks again at every key: a message each time would be noise.
        if (!told && !('options' in args)) await tell(args, dms, where.slackUserId, text);
      } catch (tellError) {
        log.error({ err: tellError }, 'could not tell the person about the failure');
      }
    }
  });
}
