import { temporaryPasswordDm } from '../../src/views/request-thread.view';

describe('temporaryPasswordDm', () => {
  it("escapes the password's & < > so Slack shows it as generated, not as a link", () => {
    const dm = temporaryPasswordDm({
      userId: 'jane.doe',
      password: 'Ab1<x|y>&z',
      validDays: 7,
      occasion: 'welcome',
    });
    const shown = JSON.stringify(dm.blocks);
    expect(shown).toContain('temporary password is `Ab1&lt;x|y&gt;&amp;z`');
    expect(shown).not.toContain('<x|y>');
  });

  it('keeps the password out of the notification text, which shows on lock screens', () => {
    const dm = temporaryPasswordDm({
      userId: 'jane.doe',
      password: 'Ab1<x|y>&z',
      validDays: 7,
      occasion: 'reset',
    });
    expect(dm.text).toContain('Your VAMS password was reset');
    expect(dm.text).not.toContain('Ab1');
    expect(JSON.stringify(dm.blocks)).toContain('Ab1&lt;x|y&gt;&amp;z');
  });
});
