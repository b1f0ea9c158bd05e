// @slack/types only checks shapes at compile time and Slack rejects an oversized payload at send
// time, often with a vague error (`invalid_blocks`, `msg_blocks_too_long`); checking the limits
// offline lets a builder's mistake fail in a test instead of in front of a user.

export interface BlockKitProblem {
  path: string;
  message: string;
}

export const BLOCK_KIT_LIMITS = {
  modalTitleChars: 24,
  modalSubmitChars: 24,
  modalCloseChars: 24,
  modalBlocks: 100,
  privateMetadataChars: 3000,
  callbackIdChars: 255,
  messageBlocks: 50,
  sectionTextChars: 3000,
  headerTextChars: 150,
  sectionFields: 10,
  sectionFieldChars: 2000,
  actionsElements: 25,
  buttonTextChars: 75,
  buttonValueChars: 2000,
  actionIdChars: 255,
  blockIdChars: 255,
  selectOptions: 100,
  optionTextChars: 75,
  optionValueChars: 75,
  plainTextInputMaxLength: 3000,
  // Slack publishes no exact size behind `msg_blocks_too_long`, only that it is around 12k
  // characters of serialized blocks; 12000 is the ceiling this project chooses to stay under.
  messageSerializedBlocksChars: 12000,
} as const;

type UnknownRecord = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Array.isArray narrows to any[]; this keeps the elements unknown.
function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function textOf(textObject: unknown): unknown {
  return isRecord(textObject) ? textObject.text : undefined;
}

// String length counts UTF-16 code units, so an emoji counts as two: when Slack counts fewer,
// we over-report rather than let a payload through that Slack would reject.
function checkChars(
  problems: BlockKitProblem[],
  path: string,
  value: unknown,
  limit: number,
): void {
  if (typeof value === 'string' && value.length > limit) {
    problems.push({
      path,
      message: `${path} is ${value.length} characters; the limit is ${limit}`,
    });
  }
}

function checkItems(
  problems: BlockKitProblem[],
  path: string,
  value: unknown,
  limit: number,
): void {
  if (isArray(value) && value.length > limit) {
    problems.push({ path, message: `${path} has ${value.length} items; the limit is ${limit}` });
  }
}

function checkNumber(
  problems: BlockKitProblem[],
  path: string,
  value: unknown,
  limit: number,
): void {
  if (typeof value === 'number' && value > limit) {
    problems.push({ path, message: `${path} is ${value}; the limit is ${limit}` });
  }
}

function forEachItem(value: unknown, visit: (item: unknown, index: number) => void): void {
  if (isArray(value)) {
    value.forEach(visit);
  }
}

function checkOptions(problems: BlockKitProblem[], path: string, options: unknown): void {
  checkItems(problems, path, options, BLOCK_KIT_LIMITS.selectOptions);
  forEachItem(options, (option, index) => {
    if (!isRecord(option)) {
      return;
    }
    const optionPath = `${path}[${index}]`;
    checkChars(
      problems,
      `${optionPath}.text.text`,
      textOf(option.text),
      BLOCK_KIT_LIMITS.optionTextChars,
    );
    checkChars(problems, `${optionPath}.value`, option.value, BLOCK_KIT_LIMITS.optionValueChars);
  });
}

function checkElement(problems: BlockKitProblem[], path: string, element: unknown): void {
  if (!isRecord(element)) {
    return;
  }
  checkChars(problems, `${path}.action_id`, element.action_id, BLOCK_KIT_LIMITS.actionIdChars);
  switch (element.type) {
    case 'button':
      checkChars(
        problems,
        `${path}.text.text`,
        textOf(element.text),
        BLOCK_KIT_LIMITS.buttonTextChars,
      );
      checkChars(problems, `${path}.value`, element.value, BLOCK_KIT_LIMITS.buttonValueChars);
      break;
    case 'static_select':
    case 'multi_static_select':
      checkOptions(problems, `${path}.options`, element.options);
      forEachItem(element.option_groups, (group, index) => {
        if (isRecord(group)) {
          checkOptions(problems, `${path}.option_groups[${index}].options`, group.options);
        }
      });
      break;
    case 'plain_text_input':
      checkNumber(
        problems,
        `${path}.max_length`,
        element.max_length,
        BLOCK_KIT_LIMITS.plainTextInputMaxLength,
      );
      break;
  }
}

function checkSection(problems: BlockKitProblem[], path: string, block: UnknownRecord): void {
  checkChars(problems, `${path}.text.text`, textOf(block.text), BLOCK_KIT_LIMITS.sectionTextChars);
  checkItems(problems, `${path}.fields`, block.fields, BLOCK_KIT_LIMITS.sectionFields);
  forEachItem(block.fields, (field, index) => {
    checkChars(
      problems,
      `${path}.fields[${index}].text`,
      textOf(field),
      BLOCK_KIT_LIMITS.sectionFieldChars,
    );
  });
  checkElement(problems, `${path}.accessory`, block.accessory);
}

function checkBlock(problems: BlockKitProblem[], path: string, block: unknown): void {
  if (!isRecord(block)) {
    problems.push({ path, message: `${path} is not an object` });
    return;
  }
  checkChars(problems, `${path}.block_id`, block.block_id, BLOCK_KIT_LIMITS.blockIdChars);
  switch (block.type) {
    case 'section':
      checkSection(problems, path, block);
      break;
    case 'header':
      checkChars(
        problems,
        `${path}.text.text`,
        textOf(block.text),
        BLOCK_KIT_LIMITS.headerTextChars,
      );
      break;
    case 'actions':
      checkItems(problems, `${path}.elements`, block.elements, BLOCK_KIT_LIMITS.actionsElements);
      forEachItem(block.elements, (element, index) => {
        checkElement(problems, `${path}.elements[${index}]`, element);
      });
      break;
    case 'context':
      forEachItem(block.elements, (element, index) => {
        checkElement(problems, `${path}.elements[${index}]`, element);
      });
      break;
    case 'input':
      checkElement(problems, `${path}.element`, block.element);
      break;
  }
}

function checkBlocks(problems: BlockKitProblem[], blocks: unknown): void {
  if (blocks === undefined) {
    return;
  }
  if (!isArray(blocks)) {
    problems.push({ path: 'blocks', message: 'blocks is not an array' });
    return;
  }
  blocks.forEach((block, index) => {
    checkBlock(problems, `blocks[${index}]`, block);
  });
}

export function checkMessage(message: {
  text?: string;
  blocks?: readonly unknown[];
}): BlockKitProblem[] {
  const problems: BlockKitProblem[] = [];
  const text: unknown = message.text;
  if (typeof text !== 'string' || text.trim() === '') {
    problems.push({
      path: 'text',
      message: 'text is required: notifications and screen readers show it instead of blocks',
    });
  }
  const blocks: unknown = message.blocks;
  checkItems(problems, 'blocks', blocks, BLOCK_KIT_LIMITS.messageBlocks);
  checkBlocks(problems, blocks);
  if (isArray(blocks)) {
    const serializedChars = JSON.stringify(blocks).length;
    if (serializedChars > BLOCK_KIT_LIMITS.messageSerializedBlocksChars) {
      problems.push({
        path: 'blocks',
        message: `blocks serialize to ${serializedChars} characters; the limit is ${BLOCK_KIT_LIMITS.messageSerializedBlocksChars}`,
      });
    }
  }
  return problems;
}

export function checkView(view: unknown): BlockKitProblem[] {
  if (!isRecord(view)) {
    return [{ path: '', message: 'the view is not an object' }];
  }
  const problems: BlockKitProblem[] = [];
  if (view.type === 'home') {
    // A Home tab holds as many blocks as a modal and has no title or buttons of its own.
    checkChars(
      problems,
      'private_metadata',
      view.private_metadata,
      BLOCK_KIT_LIMITS.privateMetadataChars,
    );
    checkItems(problems, 'blocks', view.blocks, BLOCK_KIT_LIMITS.modalBlocks);
    checkBlocks(problems, view.blocks);
    return problems;
  }
  if (view.type !== 'modal') {
    checkBlocks(problems, view.blocks);
    return problems;
  }
  checkChars(problems, 'title.text', textOf(view.title), BLOCK_KIT_LIMITS.modalTitleChars);
  checkChars(problems, 'submit.text', textOf(view.submit), BLOCK_KIT_LIMITS.modalSubmitChars);
  checkChars(problems, 'close.text', textOf(view.close), BLOCK_KIT_LIMITS.modalCloseChars);
  checkChars(
    problems,
    'private_metadata',
    view.private_metadata,
    BLOCK_KIT_LIMITS.privateMetadataChars,
  );
  checkChars(problems, 'callback_id', view.callback_id, BLOCK_KIT_LIMITS.callbackIdChars);
  checkItems(problems, 'blocks', view.blocks, BLOCK_KIT_LIMITS.modalBlocks);
  checkBlocks(problems, view.blocks);
  return problems;
}

export class BlockKitLimitError extends Error {
  readonly code = 'block_kit_limit';
  readonly problems: BlockKitProblem[];

  constructor(problems: BlockKitProblem[]) {
    super(`Block Kit limits exceeded: ${problems.map((problem) => problem.message).join('; ')}`);
    this.name = 'BlockKitLimitError';
    this.problems = problems;
  }
}

export function assertValidMessage(message: { text?: string; blocks?: readonly unknown[] }): void {
  const problems = checkMessage(message);
  if (problems.length > 0) {
    throw new BlockKitLimitError(problems);
  }
}

export function assertValidView(view: unknown): void {
  const problems = checkView(view);
  if (problems.length > 0) {
    throw new BlockKitLimitError(problems);
  }
}
