import { createHmac } from 'node:crypto';
import type { SlackStandIn, StoredMessage } from './slack-standin';

// Acts as people in Slack: sends signed slash commands, button clicks and modal submissions to
// the app's real HTTP endpoint, finding buttons and fields by the labels a person reads.

export interface CommandResult {
  status: number;
  // The parsed JSON body of the ack, its text when not JSON, or null when empty.
  ack: unknown;
  responseUrl: string;
  triggerId: string;
}

export interface InteractionResult {
  status: number;
  ack: unknown;
  /** The response_url a click on a message carried: the app's answers to it land there. */
  responseUrl?: string;
}

/**
 * A message only the clicker sees (an ephemeral reply): Slack keeps no copy the stand-in could
 * look up, so the test hands over the blocks the person was shown.
 */
export interface EphemeralSource {
  ephemeral: { channel: string; blocks: unknown };
}

export type FieldValue = string | string[] | null;

type UnknownRecord = Record<string, unknown>;

interface Button {
  label: string;
  element: UnknownRecord;
  blockId: string;
}

interface InputBlock {
  label: string;
  block: UnknownRecord;
  blockId: string;
  element: UnknownRecord;
}

// Bolt 5 answers 400 to anything else, `; charset=utf-8` included.
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
// The deprecated verification token Slack still sends; Bolt ignores it.
const VERIFICATION_TOKEN = 'local-verification-token';
const TEAM_DOMAIN = 'local-standin';
const DEFAULT_CHANNEL_ID = 'C0GENERAL';
// Slack gives up after 3 s; the driver waits longer so a slow CI box shows the real answer.
const REQUEST_TIMEOUT_MS = 10_000;

function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function textOf(textObject: unknown): string | undefined {
  return isRecord(textObject) && typeof textObject.text === 'string' ? textObject.text : undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function stringsOf(value: unknown): string[] {
  return isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function quoted(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.map((item) => JSON.stringify(item)).join(', ');
}

function parseAck(text: string): unknown {
  if (text === '') {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return text;
  }
}

function actionTs(): string {
  const micros = Date.now() * 1000;
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

function buttonsIn(blocks: unknown): Button[] {
  const buttons: Button[] = [];
  const collect = (element: unknown, blockId: string): void => {
    const label = isRecord(element) && element.type === 'button' ? textOf(element.text) : undefined;
    if (isRecord(element) && label !== undefined) {
      buttons.push({ label, element, blockId });
    }
  };
  for (const block of isArray(blocks) ? blocks : []) {
    if (!isRecord(block)) {
      continue;
    }
    const blockId = typeof block.block_id === 'string' ? block.block_id : '';
    if (block.type === 'actions' && isArray(block.elements)) {
      for (const element of block.elements) {
        collect(element, blockId);
      }
    }
    if (block.type === 'section') {
      collect(block.accessory, blockId);
    }
  }
  return buttons;
}

function inputBlocksIn(blocks: unknown): InputBlock[] {
  return (isArray(blocks) ? blocks : []).flatMap((block): InputBlock[] => {
    if (!isRecord(block) || block.type !== 'input' || !isRecord(block.element)) {
      return [];
    }
    const label = textOf(block.label);
    const blockId = block.block_id;
    return label === undefined || typeof blockId !== 'string'
      ? []
      : [{ label, block, blockId, element: block.element }];
  });
}

function optionsOf(element: UnknownRecord): UnknownRecord[] {
  const direct = isArray(element.options) ? element.options : [];
  const grouped = (isArray(element.option_groups) ? element.option_groups : []).flatMap((group) =>
    isRecord(group) && isArray(group.options) ? group.options : [],
  );
  return [...direct, ...grouped].filter(isRecord);
}

// A person picks an option by what they read; tests may also name its value.
function pickOption(field: InputBlock, wanted: string): UnknownRecord {
  if (field.element.type === 'external_select' || field.element.type === 'multi_external_select') {
    // External options come from the app's options endpoint, which the driver does not call.
    return { text: { type: 'plain_text', text: wanted }, value: wanted };
  }
  const options = optionsOf(field.element);
  const option = options.find(
    (candidate) => textOf(candidate.text) === wanted || candidate.value === wanted,
  );
  if (option === undefined) {
    const available = options.map((candidate) => textOf(candidate.text) ?? String(candidate.value));
    throw new Error(
      `Field "${field.label}" has no option "${wanted}"; its options: ${quoted(available)}`,
    );
  }
  return option;
}

function oneValue(field: InputBlock, value: FieldValue): string | null {
  if (!isArray(value)) {
    return value === '' ? null : value;
  }
  if (value.length > 1) {
    throw new Error(`Field "${field.label}" takes one value, got ${value.length}`);
  }
  return value[0] ?? null;
}

function manyValues(value: FieldValue): string[] {
  if (value === null) {
    return [];
  }
  return isArray(value) ? value : [value];
}

// Slack's client refuses to submit text that breaks these rules, so the app never sees it.
function checkTypedText(field: InputBlock, value: string | null): void {
  if (value === null) {
    return;
  }
  const { element, label } = field;
  if (typeof element.max_length === 'number' && value.length > element.max_length) {
    throw new Error(`Slack would not submit "${label}": over ${element.max_length} characters`);
  }
  if (typeof element.min_length === 'number' && value.length < element.min_length) {
    throw new Error(`Slack would not submit "${label}": under ${element.min_length} characters`);
  }
  if (element.type === 'email_text_input' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new Error(`Slack would not submit "${label}": "${value}" is not an email address`);
  }
  if (element.type === 'url_text_input' && !URL.canParse(value)) {
    throw new Error(`Slack would not submit "${label}": "${value}" is not a URL`);
  }
  if (element.type === 'number_input') {
    const number = Number(value);
    const decimals = element.is_decimal_allowed === true;
    if (
      value.trim() === '' ||
      !Number.isFinite(number) ||
      (!decimals && !Number.isInteger(number))
    ) {
      throw new Error(`Slack would not submit "${label}": "${value}" is not an allowed number`);
    }
    const min = Number(element.min_value);
    const max = Number(element.max_value);
    if (
      (element.min_value !== undefined && number < min) ||
      (element.max_value !== undefined && number > max)
    ) {
      throw new Error(`Slack would not submit "${label}": ${value} is out of range`);
    }
  }
}

// The state Slack reports for one input element: the typed value when given, otherwise the
// element's initial value, as an untouched field is submitted with it.
function elementState(field: InputBlock, given: FieldValue | undefined): UnknownRecord {
  const { element } = field;
  const type = element.type;
  const single = (initial: unknown): string | null =>
    given === undefined ? stringOrNull(initial) : oneValue(field, given);
  const many = (initial: unknown): string[] =>
    given === undefined ? stringsOf(initial) : manyValues(given);
  const initialOptions = (): UnknownRecord[] =>
    isArray(element.initial_options) ? element.initial_options.filter(isRecord) : [];
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      const value = single(element.initial_value);
      checkTypedText(field, value);
      return { type, value };
    }
    case 'static_select':
    case 'external_select':
    case 'radio_buttons': {
      if (given === undefined) {
        return {
          type,
          selected_option: isRecord(element.initial_option) ? element.initial_option : null,
        };
      }
      const wanted = oneValue(field, given);
      return { type, selected_option: wanted === null ? null : pickOption(field, wanted) };
    }
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return {
        type,
        selected_options:
          given === undefined
            ? initialOptions()
            : manyValues(given).map((wanted) => pickOption(field, wanted)),
      };
    case 'datepicker': {
      const date = single(element.initial_date);
      if (date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
        throw new Error(`Field "${field.label}" takes a date as YYYY-MM-DD, got "${date}"`);
      }
      return { type, selected_date: date };
    }
    case 'timepicker':
      return { type, selected_time: single(element.initial_time) };
    case 'users_select':
      return { type, selected_user: single(element.initial_user) };
    case 'multi_users_select':
      return { type, selected_users: many(element.initial_users) };
    case 'conversations_select':
      return { type, selected_conversation: single(element.initial_conversation) };
    case 'multi_conversations_select':
      return { type, selected_conversations: many(element.initial_conversations) };
    case 'channels_select':
      return { type, selected_channel: single(element.initial_channel) };
    case 'multi_channels_select':
      return { type, selected_channels: many(element.initial_channels) };
    default:
      throw new Error(`Field "${field.label}": the driver cannot fill a ${String(type)} element`);
  }
}

function isEmptyState(state: UnknownRecord): boolean {
  return Object.entries(state).every(
    ([key, value]) => key === 'type' || value === null || (isArray(value) && value.length === 0),
  );
}

/** How a signed request reaches the bot: over HTTP by default, or handed to a Lambda handler. */
export type SlackTransport = (request: {
  headers: Record<string, string>;
  body: string;
}) => Promise<{ status: number; text: string }>;

export interface SigningOptions {
  timestamp?: number;
  /** Sent instead of the right signature. */
  signature?: string;
  contentType?: string;
  /** More headers, e.g. Slack's retry headers. */
  headers?: Record<string, string>;
}

/** The headers Slack sends with a body, signed with the app's signing secret. */
export function signedHeaders(
  signingSecret: string,
  body: string,
  options: SigningOptions = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature =
    options.signature ??
    `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': options.contentType ?? FORM_CONTENT_TYPE,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
    ...options.headers,
  };
}

export class SlackDriver {
  private readonly eventsUrl: string;
  private readonly signingSecret: string;
  private readonly slack: SlackStandIn;
  private readonly transport: SlackTransport;
  private lastPayloadBody: string | undefined;

  constructor(options: {
    eventsUrl: string;
    signingSecret: string;
    slack: SlackStandIn;
    transport?: SlackTransport;
  }) {
    this.eventsUrl = options.eventsUrl;
    this.signingSecret = options.signingSecret;
    this.slack = options.slack;
    this.transport =
      options.transport ??
      (async ({ headers, body }) => {
        const response = await fetch(this.eventsUrl, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        return { status: response.status, text: await response.text() };
      });
  }

  async command(
    userId: string,
    text: string,
    options: { command?: string; channelId?: string; teamId?: string } = {},
  ): Promise<CommandResult> {
    const channelId = options.channelId ?? DEFAULT_CHANNEL_ID;
    const triggerId = this.slack.issueTrigger({ userId });
    const responseUrl = this.slack.newResponseUrl();
    const form = new URLSearchParams({
      token: VERIFICATION_TOKEN,
      team_id: options.teamId ?? this.slack.teamId,
      team_domain: TEAM_DOMAIN,
      channel_id: channelId,
      channel_name: channelId.startsWith('D') ? 'directmessage' : 'general',
      user_id: userId,
      user_name: this.userName(userId),
      command: options.command ?? '/vams',
      text,
      api_app_id: this.slack.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    const response = await this.sendSigned(form.toString());
    return { status: response.status, ack: parseAck(response.text), responseUrl, triggerId };
  }

  async clickButton(
    userId: string,
    source:
      | { channel: string; ts: string; message?: StoredMessage }
      | { viewId: string }
      | EphemeralSource
      | { home: string; block: string },
    label: string,
    options: { teamId?: string } = {},
  ): Promise<InteractionResult> {
    const common = {
      type: 'block_actions',
      user: this.userPart(userId, options.teamId),
      team: { id: options.teamId ?? this.slack.teamId, domain: TEAM_DOMAIN },
      api_app_id: this.slack.appId,
      token: VERIFICATION_TOKEN,
      enterprise: null,
      is_enterprise_install: false,
      state: { values: {} },
    };
    let payload: UnknownRecord;
    let responseUrl: string | undefined;
    if ('ephemeral' in source) {
      const { channel, blocks } = source.ephemeral;
      const button = this.findButton(
        buttonsIn(blocks),
        label,
        `an ephemeral message in ${channel}`,
      );
      responseUrl = this.slack.newResponseUrl();
      // Slack sends no `message` for an ephemeral one: only where it was and that it was ephemeral.
      payload = {
        ...common,
        trigger_id: this.slack.issueTrigger({ userId }),
        response_url: responseUrl,
        container: {
          type: 'message',
          message_ts: actionTs(),
          channel_id: channel,
          is_ephemeral: true,
        },
        channel: { id: channel, name: channel.startsWith('D') ? 'directmessage' : 'general' },
        actions: [this.action(button)],
      };
    } else if ('home' in source) {
      // The clicker's own Home tab, as last published; a Home click carries no response_url.
      const view = this.slack.homeOf(source.home);
      if (!view) throw new Error(`nothing was published on the Home of ${source.home}`);
      const inBlock = buttonsIn(view.blocks).filter((button) => button.blockId === source.block);
      const button = this.findButton(inBlock, label, `block ${source.block} of a Home tab`);
      payload = {
        ...common,
        trigger_id: this.slack.issueTrigger({ userId }),
        container: { type: 'view', view_id: view.id },
        view,
        actions: [this.action(button)],
      };
    } else if ('viewId' in source) {
      const stored = this.openView(source.viewId);
      const button = this.findButton(buttonsIn(stored.view.blocks), label, `view ${source.viewId}`);
      // Clicks inside a modal carry no response_url, as in Slack.
      payload = {
        ...common,
        trigger_id: this.slack.issueTrigger({ userId, viewId: source.viewId }),
        container: { type: 'view', view_id: source.viewId },
        view: stored.view,
        actions: [this.action(button)],
      };
    } else {
      // A message the caller already read saves reading the whole channel again.
      const message =
        source.message ?? this.slack.messages(source.channel).find((m) => m.ts === source.ts);
      if (message === undefined) {
        const known = this.slack.messages(source.channel).map((m) => m.ts);
        throw new Error(
          `No message ${source.ts} in ${source.channel}; its messages: ${quoted(known)}`,
        );
      }
      const where = `message ${source.channel}/${source.ts}`;
      const button = this.findButton(buttonsIn(message.blocks), label, where);
      responseUrl = this.slack.newResponseUrl();
      payload = {
        ...common,
        trigger_id: this.slack.issueTrigger({ userId }),
        response_url: responseUrl,
        container: {
          type: 'message',
          message_ts: message.ts,
          channel_id: source.channel,
          is_ephemeral: false,
          ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
        },
        channel: {
          id: source.channel,
          name: source.channel.startsWith('D') ? 'directmessage' : 'general',
        },
        message: {
          type: 'message',
          user: this.slack.botUserId,
          bot_id: this.slack.botId,
          app_id: this.slack.appId,
          team: this.slack.teamId,
          ts: message.ts,
          text: message.text ?? '',
          ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
          ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
        },
        actions: [this.action(button)],
      };
    }
    const result = await this.sendPayload(payload);
    return responseUrl === undefined ? result : { ...result, responseUrl };
  }

  async submitView(
    userId: string,
    viewId: string,
    valuesByLabel: Record<string, FieldValue>,
    options: {
      teamId?: string;
      /**
       * Text put into these fields as given, past every check Slack's client makes (its
       * `max_length` included): what a scripted client could send.
       */
      crafted?: Record<string, string>;
    } = {},
  ): Promise<InteractionResult> {
    const stored = this.openView(viewId);
    const fields = inputBlocksIn(stored.view.blocks);
    const labels = fields.map((field) => field.label);
    for (const label of Object.keys(valuesByLabel)) {
      const matching = labels.filter((candidate) => candidate === label).length;
      if (matching === 0) {
        throw new Error(
          `No field labelled "${label}" in view ${viewId}; its fields: ${quoted(labels)}`,
        );
      }
      if (matching > 1) {
        throw new Error(`${matching} fields are labelled "${label}" in view ${viewId}`);
      }
    }
    const values: Record<string, UnknownRecord> = {};
    for (const field of fields) {
      const given = Object.hasOwn(valuesByLabel, field.label)
        ? valuesByLabel[field.label]
        : undefined;
      const state = elementState(field, given);
      // Slack's client does not let a person submit with a required field empty.
      const crafted = Object.hasOwn(options.crafted ?? {}, field.label);
      if (field.block.optional !== true && isEmptyState(state) && !crafted) {
        throw new Error(`Slack would not submit view ${viewId}: "${field.label}" is required`);
      }
      const actionId = typeof field.element.action_id === 'string' ? field.element.action_id : '';
      values[field.blockId] = { [actionId]: state };
    }
    for (const [label, text] of Object.entries(options.crafted ?? {})) {
      const field = fields.find((candidate) => candidate.label === label);
      if (!field) throw new Error(`No field labelled "${label}" in view ${viewId}`);
      const actionId = typeof field.element.action_id === 'string' ? field.element.action_id : '';
      values[field.blockId] = { [actionId]: { type: field.element.type, value: text } };
    }
    const payload = {
      type: 'view_submission',
      team: { id: options.teamId ?? this.slack.teamId, domain: TEAM_DOMAIN },
      user: this.userPart(userId, options.teamId),
      api_app_id: this.slack.appId,
      token: VERIFICATION_TOKEN,
      trigger_id: this.slack.issueTrigger({ userId, viewId }),
      view: { ...stored.view, state: { values } },
      response_urls: [],
      enterprise: null,
      is_enterprise_install: false,
    };
    const result = await this.sendPayload(payload);
    // Slack keeps the modal open when the app answers with an error status.
    if (result.status === 200) {
      this.slack.applyViewSubmissionAck(viewId, result.ack);
    }
    return result;
  }

  /** Types into an external select, as Slack's client does: the app answers with options. */
  async suggest(
    userId: string,
    viewId: string,
    label: string,
    query: string,
  ): Promise<{ status: number; options: string[] }> {
    const stored = this.openView(viewId);
    const field = inputBlocksIn(stored.view.blocks).find((candidate) => candidate.label === label);
    if (!field) throw new Error(`No field labelled "${label}" in view ${viewId}`);
    const actionId = typeof field.element.action_id === 'string' ? field.element.action_id : '';
    const result = await this.sendPayload({
      type: 'block_suggestion',
      team: { id: this.slack.teamId, domain: TEAM_DOMAIN },
      user: this.userPart(userId, undefined),
      api_app_id: this.slack.appId,
      token: VERIFICATION_TOKEN,
      container: { type: 'view', view_id: viewId },
      view: stored.view,
      block_id: field.blockId,
      action_id: actionId,
      value: query,
    });
    const answer = isRecord(result.ack) && isArray(result.ack.options) ? result.ack.options : [];
    return {
      status: result.status,
      options: answer.filter(isRecord).map((option) => textOf(option.text) ?? String(option.value)),
    };
  }

  async sendSigned(
    body: string,
    options: SigningOptions = {},
  ): Promise<{ status: number; text: string }> {
    return this.transport({ headers: signedHeaders(this.signingSecret, body, options), body });
  }

  /** An Events API callback, as Slack sends it: JSON, signed. */
  async event(
    event: UnknownRecord,
    options: { teamId?: string } = {},
  ): Promise<{ status: number }> {
    const body = JSON.stringify({
      token: VERIFICATION_TOKEN,
      team_id: options.teamId ?? this.slack.teamId,
      api_app_id: this.slack.appId,
      type: 'event_callback',
      event_id: `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
    const response = await this.sendSigned(body, { contentType: 'application/json' });
    return { status: response.status };
  }

  /** The person opens the app's Home tab. */
  openHome(userId: string, options: { teamId?: string } = {}): Promise<{ status: number }> {
    return this.event(
      {
        type: 'app_home_opened',
        user: userId,
        channel: 'D0HOME',
        tab: 'home',
        event_ts: String(Date.now() / 1000),
      },
      options,
    );
  }

  /** Sends the last interaction payload again, signed anew: a replay, or Slack delivering twice. */
  async replayLastPayload(): Promise<InteractionResult> {
    if (this.lastPayloadBody === undefined) throw new Error('no payload was sent yet');
    const response = await this.sendSigned(this.lastPayloadBody);
    return { status: response.status, ack: parseAck(response.text) };
  }

  private async sendPayload(payload: UnknownRecord): Promise<InteractionResult> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    this.lastPayloadBody = body;
    const response = await this.sendSigned(body);
    return { status: response.status, ack: parseAck(response.text) };
  }

  private openView(viewId: string): { view: UnknownRecord } {
    const stored = this.slack.views.get(viewId);
    if (stored === undefined) {
      throw new Error(
        `View ${viewId} is not open; open views: ${quoted([...this.slack.views.keys()])}`,
      );
    }
    return stored;
  }

  private findButton(buttons: Button[], label: string, where: string): Button {
    const matching = buttons.filter((button) => button.label === label);
    const [button] = matching;
    if (button === undefined) {
      const available = buttons.map((candidate) => candidate.label);
      throw new Error(`No button "${label}" in ${where}; its buttons: ${quoted(available)}`);
    }
    if (matching.length > 1) {
      throw new Error(`${matching.length} buttons read "${label}" in ${where}`);
    }
    return button;
  }

  private action(button: Button): UnknownRecord {
    const { element } = button;
    return {
      type: 'button',
      action_id: element.action_id,
      block_id: button.blockId,
      text: { type: 'plain_text', text: button.label, emoji: true },
      ...(element.value === undefined ? {} : { value: element.value }),
      ...(element.style === undefined ? {} : { style: element.style }),
      action_ts: actionTs(),
    };
  }

  private userName(userId: string): string {
    return this.slack.getUser(userId)?.name ?? userId.toLowerCase();
  }

  // user.team_id is the person's home workspace, which differs for Slack Connect guests.
  private userPart(userId: string, teamId: string | undefined): UnknownRecord {
    const name = this.userName(userId);
    return {
      id: userId,
      username: name,
      name,
      team_id: this.slack.getUser(userId)?.teamId ?? teamId ?? this.slack.teamId,
    };
  }
}
