import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { SLASH_COMMAND } from '../src/commands/vams.command';
import { EVENTS_PATH } from '../src/slack/slack-runtime';
import { helpShown } from './support/onboarding-flow';
import { startTestBot, type TestBot } from './support/test-bot';

const manifestText = readFileSync(`${__dirname}/../manifest.yml`, 'utf8');
const manifest = z
  .object({
    features: z.object({
      app_home: z.object({ messages_tab_enabled: z.boolean() }),
      slash_commands: z.array(
        z.object({
          command: z.string(),
          url: z.string(),
          description: z.string(),
          usage_hint: z.string(),
          should_escape: z.boolean(),
        }),
      ),
      shortcuts: z.array(z.object({ callback_id: z.string() })).optional(),
    }),
    oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
    settings: z.object({
      interactivity: z.object({
        is_enabled: z.boolean(),
        request_url: z.string(),
        message_menu_options_url: z.string().optional(),
      }),
      socket_mode_enabled: z.boolean(),
    }),
  })
  .parse(parse(manifestText));

describe('manifest.yml', () => {
  it('declares exactly the slash commands the app handles', () => {
    expect(manifest.features.slash_commands.map((entry) => entry.command)).toEqual([SLASH_COMMAND]);
  });

  it('has Slack escape the command text, so that `/vams link @someone` arrives as a Slack user ID', () => {
    for (const entry of manifest.features.slash_commands) expect(entry.should_escape).toBe(true);
  });

  it('declares no shortcuts, as the app registers none', () => {
    expect(manifest.features.shortcuts ?? []).toEqual([]);
  });

  it('sends commands and interactivity to the endpoint the receiver serves', () => {
    for (const entry of manifest.features.slash_commands) {
      expect(new URL(entry.url).pathname).toBe(EVENTS_PATH);
    }
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(EVENTS_PATH);
  });

  it('sends the Roles picker’s option requests to that endpoint too (it is an external select)', () => {
    const optionsUrl = manifest.settings.interactivity.message_menu_options_url;
    expect(optionsUrl).toBeDefined();
    expect(new URL(optionsUrl ?? '').pathname).toBe(EVENTS_PATH);
  });

  it('asks for the scopes the app uses, each with a comment saying why', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'channels:history',
        'chat:write',
        'commands',
        'groups:history',
        'im:history',
        'im:write',
        'users:read',
        'users:read.email',
      ].sort(),
    );
    const lines = manifestText.split('\n');
    for (const scope of manifest.oauth_config.scopes.bot) {
      const at = lines.findIndex((line) => line.trim() === `- ${scope}`);
      expect(lines[at - 1]?.trim().startsWith('#')).toBe(true);
    }
  });

  it('enables the App Home Messages tab, where DMs land', () => {
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });

  describe('against the running app', () => {
    let bot: TestBot;
    beforeAll(async () => {
      // An admin allowed to break glass sees every sub-command in help.
      bot = await startTestBot({
        env: { BREAKGLASS_ALLOWED: 'admin', BREAKGLASS_ROLES: 'operator' },
      });
      await bot.deployment.addVamsUser('ada@example.com', ['admin']);
      bot.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', emailConfirmed: true });
    });
    afterAll(() => bot.stop());

    it('promises in its description and usage hint only sub-commands that /vams help lists', async () => {
      const help = await helpShown(bot, 'U0ADA');
      for (const entry of manifest.features.slash_commands) {
        // "help | whoami | user create|list|… | key …": each word names a sub-command.
        for (const part of entry.usage_hint.split(' | ')) {
          const [group, subs] = part.replace(/ …$/, '').split(' ');
          const named = subs ? subs.split('|').map((sub) => `${group} ${sub}`) : [group];
          for (const command of named) expect(help).toContain(`/vams ${command}`);
        }
        // "Manage VAMS access (help, whoami, users, keys, requests)": plural for the groups.
        const listed = /\(([^)]*)\)/.exec(entry.description)?.[1]?.split(', ') ?? [];
        expect(listed.length).toBeGreaterThan(0);
        for (const word of listed) {
          const candidates = [`/vams ${word}`, `/vams ${word.replace(/s$/, '')} `];
          expect(candidates.some((candidate) => help.includes(candidate))).toBe(true);
        }
      }
    });

    it('acknowledges every slash command the manifest declares', async () => {
      for (const entry of manifest.features.slash_commands) {
        expect(await helpShown(bot, 'U0ANY', { command: entry.command })).toContain('/vams whoami');
      }
    });
  });
});
