import { slackMention } from '../../src/commands/link.commands';
import { findSubCommand, fromSlackText } from '../../src/commands/vams.command';

describe('slackMention', () => {
  it.each([
    ['<@U0NOMAIL>', 'U0NOMAIL'],
    ['<@U0NOMAIL|nomail>', 'U0NOMAIL'],
    ['<@W0GRID123|someone>', 'W0GRID123'],
  ])('reads %s as a Slack user ID', (word, id) => {
    expect(slackMention(word)).toBe(id);
  });

  it.each([
    '@nomail',
    'U0NOMAIL',
    '<#C0GENERAL|general>',
    '<!here>',
    '<@u0lower>',
    '<@U0NOMAIL',
    '<@U0NOMAIL|a>b>',
    '<mailto:a@example.com|a@example.com>',
  ])('refuses %s', (word) => {
    expect(slackMention(word)).toBeUndefined();
  });
});

describe('fromSlackText with the command escaped', () => {
  it('keeps a user mention as the Slack user ID, dropping the name (which may hold spaces)', () => {
    expect(fromSlackText('link <@U0NOMAIL|No Mail> ops-lead')).toBe('link <@U0NOMAIL> ops-lead');
  });

  it('reads emails, links, channels and special mentions back as typed', () => {
    expect(fromSlackText('user show <mailto:pete@example.com|pete@example.com>')).toBe(
      'user show pete@example.com',
    );
    expect(fromSlackText('user list <http://example.com|example.com>')).toBe(
      'user list example.com',
    );
    expect(fromSlackText('x <https://example.com/a?b=1&amp;c=2>')).toBe(
      'x https://example.com/a?b=1&c=2',
    );
    expect(fromSlackText('x <#C0GENERAL|general> <#C0OTHER> <!here> <!subteam^S0A|@team>')).toBe(
      'x #general #C0OTHER @here @team',
    );
  });

  it('reads typed angle brackets, which Slack sends as entities, back as the characters', () => {
    expect(fromSlackText('link &lt;@U0FAKE&gt; a&amp;b')).toBe('link <@U0FAKE> a&b');
  });

  it('routes a sub-command whose argument was an email Slack linked', () => {
    const commands = [{ name: 'user show', usage: '', summary: '', run: async () => {} }];
    const words = fromSlackText('user show <mailto:Pete@Example.com|Pete@Example.com>').split(' ');
    expect(findSubCommand(commands, words)?.args).toEqual(['Pete@Example.com']);
  });
});
