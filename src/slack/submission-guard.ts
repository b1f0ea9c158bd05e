import type { AnyMiddlewareArgs, App } from '@slack/bolt';
import { InputTooLongError } from './view-state';

/**
 * Every dialog submission passes here: a text longer than its input allows (the reader of the
 * submission throws it) is answered with an error under that field, so it is never stored or
 * shown. Any other error goes on to Bolt's error handler.
 */
export function registerSubmissionGuard(app: App): void {
  app.use(async (args: AnyMiddlewareArgs & { next: () => Promise<void> }) => {
    try {
      await args.next();
    } catch (error) {
      if (!(error instanceof InputTooLongError) || !('view' in args)) throw error;
      if (args.body.type !== 'view_submission') throw error;
      await args.ack({ response_action: 'errors', errors: { [error.blockId]: error.message } });
    }
  });
}
