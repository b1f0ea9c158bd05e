import { LogLevel } from '@slack/bolt';
import { createLogger, scrubSecrets } from '../src/logging';
import { slackLoggerFor } from '../src/slack/slack-logger';

const apiKey = `vams_${'A1b2_C3d-'.repeat(7)}x`;
const botToken = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
const appToken = 'xapp-1-A0123-456789-abcdef';

function capture(level: Parameters<typeof createLogger>[0] = 'debug') {
  const lines: string[] = [];
  return { lines, logger: createLogger(level, { write: (line: string) => lines.push(line) }) };
}

describe('logging never carries a secret', () => {
  it('scrubs API key values and Slack tokens from free text', () => {
    const text = scrubSecrets(`key ${apiKey} token ${botToken} app ${appToken}`);
    expect(text).toBe('key [redacted] token [redacted] app [redacted]');
  });

  it('scrubs them from messages, structured fields and errors', () => {
    const { lines, logger } = capture();
    logger.info(`delivered ${apiKey}`);
    logger.info({ detail: { note: `uses ${botToken}` } }, 'structured');
    logger.error({ err: new Error(`Slack refused ${botToken}`) }, 'failed');
    logger.warn(new Error(`bad key ${apiKey}`));
    const all = lines.join('');
    expect(all).not.toContain(apiKey);
    expect(all).not.toContain(botToken);
    expect(all.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
    expect(all).toContain('Slack refused');
  });

  it('censors fields named like secrets whatever their value', () => {
    const { lines, logger } = capture();
    logger.info(
      { temporaryPassword: 'Tmp!Pass123', user: { password: 'hunter2' }, signingSecret: 'abc' },
      'x',
    );
    const all = lines.join('');
    expect(all).not.toContain('Tmp!Pass123');
    expect(all).not.toContain('hunter2');
    expect(all).not.toMatch(/"signingSecret":"abc"/);
  });

  it('censors them at any depth, in any case, and in child-logger bindings', () => {
    const { lines, logger } = capture();
    logger.info({ request: { headers: { Authorization: `Bearer ${botToken}` } } }, 'a');
    logger.info({ config: { slack: { signingSecret: 'sekrit-value' } } }, 'b');
    logger.info({ params: { delivery: { password: 'Deep!Pass42' } } }, 'c');
    logger.child({ note: `bound ${apiKey}` }).info('d');
    const all = lines.join('');
    expect(all).not.toContain(botToken);
    expect(all).not.toContain('sekrit-value');
    expect(all).not.toContain('Deep!Pass42');
    expect(all).not.toContain(apiKey);
    expect(lines).toHaveLength(4);
  });

  it('keeps the type of a logged error', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('condition'), {
      name: 'ConditionalCheckFailedException',
    });
    logger.warn({ err: error }, 'lost a race');
    expect(lines.join('')).toContain('"type":"ConditionalCheckFailedException"');
  });

  it('keeps the Slack Web API client at info or above even when asked for debug', () => {
    const { lines, logger } = capture('debug');
    const webApi = slackLoggerFor(logger, 'web-api', LogLevel.INFO);
    webApi.setLevel(LogLevel.DEBUG);
    webApi.debug('http request body: {"text":"your temporary password is Tmp!Pass123"}');
    webApi.info('retrying chat.postMessage');
    expect(lines.join('')).not.toContain('Tmp!Pass123');
    expect(lines.join('')).toContain('retrying chat.postMessage');
  });
});
