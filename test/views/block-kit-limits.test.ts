import type {
  Button,
  KnownBlock,
  ModalView,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
} from '@slack/types';
import {
  assertValidMessage,
  assertValidView,
  BLOCK_KIT_LIMITS,
  BlockKitLimitError,
  type BlockKitProblem,
  checkMessage,
  checkView,
} from '../../src/views/block-kit-limits';

const chars = (count: number): string => 'x'.repeat(count);
const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text });
const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });
const section = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(text) });
const divider: KnownBlock = { type: 'divider' };

const button = (overrides: Partial<Button> = {}): Button => ({
  type: 'button',
  action_id: 'request_approve',
  text: plain('Approve'),
  value: 'req-7f3a',
  ...overrides,
});

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });
const roleOptions = (count: number): PlainTextOption[] =>
  Array.from({ length: count }, (_, index) => option(`Role ${index}`, `role-${index}`));

const messageWith = (...blocks: unknown[]) => ({ text: 'Access request for alice', blocks });

const modalWith = (overrides: Partial<ModalView>): ModalView => ({
  type: 'modal',
  callback_id: 'user_create',
  title: plain('Create user'),
  submit: plain('Create'),
  close: plain('Cancel'),
  blocks: [],
  ...overrides,
});

// Sections of at most 3000 characters each, padded so the whole array serializes to `total`.
function blocksSerializingTo(total: number): KnownBlock[] {
  const filled = Array.from({ length: 4 }, () => section(chars(2500)));
  const padding = total - JSON.stringify([...filled, section('')]).length;
  const blocks = [...filled, section(chars(padding))];
  if (JSON.stringify(blocks).length !== total) {
    throw new Error(`fixture serializes to ${JSON.stringify(blocks).length}, wanted ${total}`);
  }
  return blocks;
}

interface LimitCase {
  name: string;
  limitName: keyof typeof BLOCK_KIT_LIMITS;
  limit: number;
  problemsAt: (size: number) => BlockKitProblem[];
  path: string;
  message: string;
}

const messageCases: LimitCase[] = [
  {
    name: 'message block count',
    limitName: 'messageBlocks',
    limit: 50,
    problemsAt: (size) => checkMessage(messageWith(...Array.from({ length: size }, () => divider))),
    path: 'blocks',
    message: 'blocks has 51 items; the limit is 50',
  },
  {
    name: 'section text',
    limitName: 'sectionTextChars',
    limit: 3000,
    problemsAt: (size) => checkMessage(messageWith(divider, divider, section(chars(size)))),
    path: 'blocks[2].text.text',
    message: 'blocks[2].text.text is 3001 characters; the limit is 3000',
  },
  {
    name: 'header text',
    limitName: 'headerTextChars',
    limit: 150,
    problemsAt: (size) => checkMessage(messageWith({ type: 'header', text: plain(chars(size)) })),
    path: 'blocks[0].text.text',
    message: 'blocks[0].text.text is 151 characters; the limit is 150',
  },
  {
    name: 'section field count',
    limitName: 'sectionFields',
    limit: 10,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'section',
          fields: Array.from({ length: size }, () => mrkdwn('*Role*\nadmin')),
        }),
      ),
    path: 'blocks[0].fields',
    message: 'blocks[0].fields has 11 items; the limit is 10',
  },
  {
    name: 'section field text',
    limitName: 'sectionFieldChars',
    limit: 2000,
    problemsAt: (size) =>
      checkMessage(
        messageWith({ type: 'section', fields: [mrkdwn('*Reason*'), mrkdwn(chars(size))] }),
      ),
    path: 'blocks[0].fields[1].text',
    message: 'blocks[0].fields[1].text is 2001 characters; the limit is 2000',
  },
  {
    name: 'actions block element count',
    limitName: 'actionsElements',
    limit: 25,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'actions',
          elements: Array.from({ length: size }, (_, index) =>
            button({ action_id: `pick_${index}` }),
          ),
        }),
      ),
    path: 'blocks[0].elements',
    message: 'blocks[0].elements has 26 items; the limit is 25',
  },
  {
    name: 'button text',
    limitName: 'buttonTextChars',
    limit: 75,
    problemsAt: (size) =>
      checkMessage(
        messageWith({ type: 'actions', elements: [button({ text: plain(chars(size)) })] }),
      ),
    path: 'blocks[0].elements[0].text.text',
    message: 'blocks[0].elements[0].text.text is 76 characters; the limit is 75',
  },
  {
    name: 'button value',
    limitName: 'buttonValueChars',
    limit: 2000,
    problemsAt: (size) =>
      checkMessage(messageWith({ type: 'actions', elements: [button({ value: chars(size) })] })),
    path: 'blocks[0].elements[0].value',
    message: 'blocks[0].elements[0].value is 2001 characters; the limit is 2000',
  },
  {
    name: 'action_id',
    limitName: 'actionIdChars',
    limit: 255,
    problemsAt: (size) =>
      checkMessage(
        messageWith({ type: 'actions', elements: [button({ action_id: chars(size) })] }),
      ),
    path: 'blocks[0].elements[0].action_id',
    message: 'blocks[0].elements[0].action_id is 256 characters; the limit is 255',
  },
  {
    name: 'block_id',
    limitName: 'blockIdChars',
    limit: 255,
    problemsAt: (size) => checkMessage(messageWith({ type: 'divider', block_id: chars(size) })),
    path: 'blocks[0].block_id',
    message: 'blocks[0].block_id is 256 characters; the limit is 255',
  },
  {
    name: 'static select option count',
    limitName: 'selectOptions',
    limit: 100,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'section',
          text: mrkdwn('Pick a role'),
          accessory: { type: 'static_select', action_id: 'role', options: roleOptions(size) },
        }),
      ),
    path: 'blocks[0].accessory.options',
    message: 'blocks[0].accessory.options has 101 items; the limit is 100',
  },
  {
    name: 'static select option text',
    limitName: 'optionTextChars',
    limit: 75,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'section',
          text: mrkdwn('Pick a role'),
          accessory: {
            type: 'static_select',
            action_id: 'role',
            options: [option('admin', 'admin'), option(chars(size), 'other')],
          },
        }),
      ),
    path: 'blocks[0].accessory.options[1].text.text',
    message: 'blocks[0].accessory.options[1].text.text is 76 characters; the limit is 75',
  },
  {
    name: 'static select option value',
    limitName: 'optionValueChars',
    limit: 75,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'section',
          text: mrkdwn('Pick a role'),
          accessory: {
            type: 'static_select',
            action_id: 'role',
            options: [option('admin', chars(size))],
          },
        }),
      ),
    path: 'blocks[0].accessory.options[0].value',
    message: 'blocks[0].accessory.options[0].value is 76 characters; the limit is 75',
  },
  {
    name: 'option group option count',
    limitName: 'selectOptions',
    limit: 100,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'actions',
          elements: [
            {
              type: 'static_select',
              action_id: 'role',
              option_groups: [
                { label: plain('Read'), options: [option('viewer', 'viewer')] },
                { label: plain('Write'), options: roleOptions(size) },
              ],
            },
          ],
        }),
      ),
    path: 'blocks[0].elements[0].option_groups[1].options',
    message: 'blocks[0].elements[0].option_groups[1].options has 101 items; the limit is 100',
  },
  {
    name: 'option group option text',
    limitName: 'optionTextChars',
    limit: 75,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'actions',
          elements: [
            {
              type: 'static_select',
              action_id: 'role',
              option_groups: [{ label: plain('Write'), options: [option(chars(size), 'editor')] }],
            },
          ],
        }),
      ),
    path: 'blocks[0].elements[0].option_groups[0].options[0].text.text',
    message:
      'blocks[0].elements[0].option_groups[0].options[0].text.text is 76 characters; the limit is 75',
  },
  {
    name: 'option group option value',
    limitName: 'optionValueChars',
    limit: 75,
    problemsAt: (size) =>
      checkMessage(
        messageWith({
          type: 'actions',
          elements: [
            {
              type: 'static_select',
              action_id: 'role',
              option_groups: [{ label: plain('Write'), options: [option('editor', chars(size))] }],
            },
          ],
        }),
      ),
    path: 'blocks[0].elements[0].option_groups[0].options[0].value',
    message:
      'blocks[0].elements[0].option_groups[0].options[0].value is 76 characters; the limit is 75',
  },
  {
    name: 'serialized blocks',
    limitName: 'messageSerializedBlocksChars',
    limit: 12000,
    problemsAt: (size) => checkMessage(messageWith(...blocksSerializingTo(size))),
    path: 'blocks',
    message: 'blocks serialize to 12001 characters; the limit is 12000',
  },
];

const viewCases: LimitCase[] = [
  {
    name: 'modal title',
    limitName: 'modalTitleChars',
    limit: 24,
    problemsAt: (size) => checkView(modalWith({ title: plain(chars(size)) })),
    path: 'title.text',
    message: 'title.text is 25 characters; the limit is 24',
  },
  {
    name: 'modal submit',
    limitName: 'modalSubmitChars',
    limit: 24,
    problemsAt: (size) => checkView(modalWith({ submit: plain(chars(size)) })),
    path: 'submit.text',
    message: 'submit.text is 25 characters; the limit is 24',
  },
  {
    name: 'modal close',
    limitName: 'modalCloseChars',
    limit: 24,
    problemsAt: (size) => checkView(modalWith({ close: plain(chars(size)) })),
    path: 'close.text',
    message: 'close.text is 25 characters; the limit is 24',
  },
  {
    name: 'modal block count',
    limitName: 'modalBlocks',
    limit: 100,
    problemsAt: (size) =>
      checkView(modalWith({ blocks: Array.from({ length: size }, () => divider) })),
    path: 'blocks',
    message: 'blocks has 101 items; the limit is 100',
  },
  {
    name: 'private_metadata',
    limitName: 'privateMetadataChars',
    limit: 3000,
    problemsAt: (size) => checkView(modalWith({ private_metadata: chars(size) })),
    path: 'private_metadata',
    message: 'private_metadata is 3001 characters; the limit is 3000',
  },
  {
    name: 'callback_id',
    limitName: 'callbackIdChars',
    limit: 255,
    problemsAt: (size) => checkView(modalWith({ callback_id: chars(size) })),
    path: 'callback_id',
    message: 'callback_id is 256 characters; the limit is 255',
  },
  {
    name: 'section text in a modal',
    limitName: 'sectionTextChars',
    limit: 3000,
    problemsAt: (size) => checkView(modalWith({ blocks: [section(chars(size))] })),
    path: 'blocks[0].text.text',
    message: 'blocks[0].text.text is 3001 characters; the limit is 3000',
  },
  {
    name: 'button text in a modal section accessory',
    limitName: 'buttonTextChars',
    limit: 75,
    problemsAt: (size) =>
      checkView(
        modalWith({
          blocks: [
            {
              type: 'section',
              text: mrkdwn('Rotate the key?'),
              accessory: button({ text: plain(chars(size)) }),
            },
          ],
        }),
      ),
    path: 'blocks[0].accessory.text.text',
    message: 'blocks[0].accessory.text.text is 76 characters; the limit is 75',
  },
  {
    name: 'plain_text_input max_length in a modal input',
    limitName: 'plainTextInputMaxLength',
    limit: 3000,
    problemsAt: (size) =>
      checkView(
        modalWith({
          blocks: [
            {
              type: 'input',
              label: plain('Reason'),
              element: { type: 'plain_text_input', action_id: 'reason', max_length: size },
            },
          ],
        }),
      ),
    path: 'blocks[0].element.max_length',
    message: 'blocks[0].element.max_length is 3001; the limit is 3000',
  },
  {
    name: 'multi static select options in a modal input',
    limitName: 'selectOptions',
    limit: 100,
    problemsAt: (size) =>
      checkView(
        modalWith({
          blocks: [
            {
              type: 'input',
              label: plain('Roles'),
              element: {
                type: 'multi_static_select',
                action_id: 'roles',
                options: roleOptions(size),
              },
            },
          ],
        }),
      ),
    path: 'blocks[0].element.options',
    message: 'blocks[0].element.options has 101 items; the limit is 100',
  },
  {
    // Context elements are text and images today; the walk covers them so an action_id there is
    // still caught.
    name: 'action_id in a modal context element',
    limitName: 'actionIdChars',
    limit: 255,
    problemsAt: (size) =>
      checkView({
        ...modalWith({}),
        blocks: [
          {
            type: 'context',
            elements: [
              mrkdwn('Requested by <@U012AB3CD>'),
              { type: 'image', action_id: chars(size) },
            ],
          },
        ],
      }),
    path: 'blocks[0].elements[1].action_id',
    message: 'blocks[0].elements[1].action_id is 256 characters; the limit is 255',
  },
];

describe.each([...messageCases, ...viewCases])('$name', (limitCase) => {
  test(`is named ${limitCase.limitName} in BLOCK_KIT_LIMITS`, () => {
    expect(BLOCK_KIT_LIMITS[limitCase.limitName]).toBe(limitCase.limit);
  });

  test(`accepts exactly ${limitCase.limit}`, () => {
    expect(limitCase.problemsAt(limitCase.limit)).toEqual([]);
  });

  test(`reports ${limitCase.path} at ${limitCase.limit + 1}`, () => {
    expect(limitCase.problemsAt(limitCase.limit + 1)).toEqual([
      { path: limitCase.path, message: limitCase.message },
    ]);
  });
});

const accessRequestMessage: { text: string; blocks: KnownBlock[] } = {
  text: 'Alice requested the admin role in VAMS',
  blocks: [
    { type: 'header', text: plain('Access request') },
    {
      type: 'section',
      block_id: 'request_summary',
      text: mrkdwn('*<@U012AB3CD>* requests the `admin` role'),
      fields: [
        mrkdwn('*Requester*\n<@U012AB3CD>'),
        mrkdwn('*Role*\nadmin'),
        mrkdwn('*Reason*\nOn-call rotation this week'),
      ],
    },
    { type: 'context', elements: [mrkdwn('Request `req-7f3a` · expires in 24 h')] },
    {
      type: 'actions',
      block_id: 'request_decision',
      elements: [
        button({ style: 'primary' }),
        button({ action_id: 'request_deny', text: plain('Deny'), style: 'danger' }),
      ],
    },
  ],
};

const createUserModal: ModalView = {
  type: 'modal',
  callback_id: 'user_create',
  private_metadata: JSON.stringify({ channelId: 'C012AB3CD' }),
  title: plain('Create VAMS user'),
  submit: plain('Request'),
  close: plain('Cancel'),
  blocks: [
    {
      type: 'input',
      block_id: 'email',
      label: plain('Email'),
      element: { type: 'email_text_input', action_id: 'email' },
    },
    {
      type: 'input',
      block_id: 'role',
      label: plain('Role'),
      element: {
        type: 'static_select',
        action_id: 'role',
        option_groups: [
          { label: plain('Read'), options: [option('Viewer', 'viewer')] },
          {
            label: plain('Write'),
            options: [option('Editor', 'editor'), option('Admin', 'admin')],
          },
        ],
      },
    },
    {
      type: 'input',
      block_id: 'reason',
      label: plain('Reason'),
      element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 500 },
    },
  ],
};

describe('checkMessage', () => {
  test('accepts a realistic access request card', () => {
    expect(checkMessage(accessRequestMessage)).toEqual([]);
  });

  test('accepts a text-only message', () => {
    expect(checkMessage({ text: 'Key rotated' })).toEqual([]);
  });

  test.each([
    ['missing', { blocks: [section('Key rotated')] }],
    ['empty', { text: '', blocks: [section('Key rotated')] }],
    ['blank', { text: '  \n', blocks: [section('Key rotated')] }],
  ])('reports a %s top-level text', (_, message) => {
    expect(checkMessage(message)).toEqual([
      { path: 'text', message: expect.stringContaining('text is required') },
    ]);
  });

  test('reports every problem, not only the first', () => {
    const problems = checkMessage({
      blocks: [{ type: 'header', text: plain(chars(151)) }, section(chars(3001))],
    });

    expect(problems.map((problem) => problem.path)).toEqual([
      'text',
      'blocks[0].text.text',
      'blocks[1].text.text',
    ]);
  });

  test('reports blocks that are not objects', () => {
    expect(checkMessage(messageWith(divider, 'divider'))).toEqual([
      { path: 'blocks[1]', message: 'blocks[1] is not an object' },
    ]);
  });
});

describe('checkView', () => {
  test('accepts a realistic modal', () => {
    expect(checkView(createUserModal)).toEqual([]);
  });

  test('applies block rules to a home view', () => {
    expect(checkView({ type: 'home', blocks: [section(chars(3001))] })).toEqual([
      {
        path: 'blocks[0].text.text',
        message: 'blocks[0].text.text is 3001 characters; the limit is 3000',
      },
    ]);
  });

  test.each([null, 'modal', ['modal']])('reports %p as not a view', (view) => {
    expect(checkView(view)).toEqual([{ path: '', message: 'the view is not an object' }]);
  });

  test('reports blocks that are not an array', () => {
    expect(checkView({ ...createUserModal, blocks: { type: 'divider' } })).toEqual([
      { path: 'blocks', message: 'blocks is not an array' },
    ]);
  });
});

describe('assertValidMessage', () => {
  test('passes a valid message', () => {
    expect(() => assertValidMessage(accessRequestMessage)).not.toThrow();
  });

  test('throws BlockKitLimitError carrying the problems', () => {
    const message = { blocks: [section(chars(3001))] };

    const error = captureError(() => assertValidMessage(message));

    expect(error).toBeInstanceOf(BlockKitLimitError);
    expect(error).toMatchObject({
      code: 'block_kit_limit',
      problems: [
        { path: 'text', message: expect.stringContaining('text is required') },
        {
          path: 'blocks[0].text.text',
          message: 'blocks[0].text.text is 3001 characters; the limit is 3000',
        },
      ],
    });
    expect(error).toHaveProperty('problems.length', 2);
  });
});

describe('assertValidView', () => {
  test('passes a valid modal', () => {
    expect(() => assertValidView(createUserModal)).not.toThrow();
  });

  test('throws BlockKitLimitError carrying the problems', () => {
    const error = captureError(() => assertValidView(modalWith({ title: plain(chars(25)) })));

    expect(error).toBeInstanceOf(BlockKitLimitError);
    expect(error).toMatchObject({
      code: 'block_kit_limit',
      message: expect.stringContaining('title.text is 25 characters; the limit is 24'),
      problems: [{ path: 'title.text', message: 'title.text is 25 characters; the limit is 24' }],
    });
  });
});

function captureError(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
