import { temporaryPasswordDm } from '../../src/views/request-thread.view';

describe('temporaryPasswordDm', () => {
  it("escapes the password's & < > so Slack shows it as generated, not as a link", () => {
    const dm = temporaryPasswordDm({
      userId: 'jane.doe',
      password: 'Ab1<x|y>&z',
      validDays: 7,
      occasion: 'welcome',
    });
    expect(dm.text).toContain('temporary password is `Ab1&lt;x|y&gt;&amp;z`');
    expect(dm.text).not.toContain('<x|y>');
  });
});
