import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';

const slackSecret = z.object({
  SLACK_BOT_TOKEN: z.string().min(1),
  SLACK_SIGNING_SECRET: z.string().min(1),
});

export type SlackSecret = z.infer<typeof slackSecret>;

export class SlackSecretError extends Error {
  readonly code = 'slack_secret';
}

/**
 * The Slack credentials kept in Secrets Manager, as JSON with the two variables' names. A
 * problem names the secret and what is wrong with it, never a value.
 */
export async function readSlackSecret(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SlackSecret> {
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.SecretString ?? '');
  } catch {
    throw new SlackSecretError(
      `secret ${secretId} is not JSON; store {"SLACK_BOT_TOKEN": "xoxb-…", "SLACK_SIGNING_SECRET": "…"}`,
    );
  }
  const checked = slackSecret.safeParse(parsed);
  if (!checked.success) {
    const missing = checked.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new SlackSecretError(`secret ${secretId} lacks a non-empty ${missing}`);
  }
  return checked.data;
}
