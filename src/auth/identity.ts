/** What Slack says about a person (users.info), reduced to what the mapping rules need. */
export interface SlackPerson {
  id: string;
  teamId: string | undefined;
  email: string | undefined;
  emailConfirmed: boolean;
  isBot: boolean;
  deleted: boolean;
  isGuest: boolean;
}

/** An explicit link of a Slack user to a VAMS user, with who made it, when and by which request. */
export interface SlackLink {
  vamsUserId: string;
  /** The Slack user who asked for it; absent on links an operator wrote by hand. */
  linkedBy: string | undefined;
  linkedAt: string | undefined;
  requestId: string | undefined;
}

export interface IdentityPorts {
  slackPerson(slackUserId: string): Promise<SlackPerson | undefined>;
  linkOf(slackUserId: string): Promise<SlackLink | undefined>;
  /** The Cognito user with this username, as Cognito spells it; undefined in external-IdP mode. */
  cognitoUsername(username: string): Promise<string | undefined>;
  /** Cognito usernames whose `email` attribute is one of the candidates. */
  cognitoUsernamesWithEmail(candidates: readonly string[]): Promise<string[]>;
  rolesOf(vamsUserId: string): Promise<string[]>;
}

export interface IdentityRequest {
  slackUserId: string;
  /** The workspace the request came from, as Slack's payload says. */
  requestTeamId: string | undefined;
  /** SLACK_TEAM_ID, else the bot's own workspace from auth.test. */
  homeTeamId: string;
}

export type MappingSource = 'link' | 'email-is-user-id' | 'cognito-email';

export type RefusalReason =
  | 'unknown-slack-user'
  | 'bot'
  | 'deleted'
  | 'guest'
  | 'foreign-workspace'
  | 'no-confirmed-email'
  | 'no-match'
  | 'ambiguous-email';

export type Identity =
  | {
      mapped: true;
      slackUserId: string;
      vamsUserId: string;
      source: MappingSource;
      /** The link it was matched by, when `source` is `link`. */
      link?: SlackLink;
      email: string | undefined;
      roles: string[];
    }
  | { mapped: false; slackUserId: string; reason: RefusalReason; email: string | undefined };

/** Someone the mapping rules turned into a VAMS user. */
export type MappedIdentity = Extract<Identity, { mapped: true }>;

function emailCandidates(email: string): string[] {
  return [...new Set([email, email.toLowerCase()])];
}

/**
 * Why this Slack person may not be linked to a VAMS user: the people the mapping rules refuse
 * whatever their email (bots, deactivated accounts, guests, other workspaces).
 */
export function linkRefusal(
  person: SlackPerson | undefined,
  homeTeamId: string,
): RefusalReason | undefined {
  return refusalOf(person, { slackUserId: person?.id ?? '', requestTeamId: undefined, homeTeamId });
}

function refusalOf(
  person: SlackPerson | undefined,
  request: IdentityRequest,
): RefusalReason | undefined {
  if (!person) return 'unknown-slack-user';
  if (person.deleted) return 'deleted';
  if (person.isBot) return 'bot';
  if (person.isGuest) return 'guest';
  const teams = [person.teamId, request.requestTeamId].filter((team) => team !== undefined);
  if (teams.some((team) => team !== request.homeTeamId)) return 'foreign-workspace';
  return undefined;
}

function defined<T>(values: readonly (T | undefined)[]): T[] {
  return values.filter((value): value is T => value !== undefined);
}

/**
 * Why the bot would not hand this Slack person a secret (a password, a key): the people the
 * mapping rules refuse, and anyone whose email Slack has not confirmed. `email`, when given, must
 * be that confirmed email: a secret meant for an address goes only to its confirmed holder.
 */
export function secretRecipientRefusal(
  person: SlackPerson | undefined,
  homeTeamId: string,
  email?: string,
): RefusalReason | undefined {
  const refusal = refusalOf(person, {
    slackUserId: person?.id ?? '',
    requestTeamId: undefined,
    homeTeamId,
  });
  if (refusal || !person) return refusal ?? 'unknown-slack-user';
  if (!person.email || !person.emailConfirmed) return 'no-confirmed-email';
  if (email !== undefined && person.email.toLowerCase() !== email.toLowerCase())
    return 'no-confirmed-email';
  return undefined;
}

interface Mapping {
  vamsUserId: string;
  source: MappingSource;
  link?: SlackLink;
  /** Already read while matching, so not read twice. */
  roles?: string[];
}

async function mappingOf(
  ports: IdentityPorts,
  person: SlackPerson,
): Promise<Mapping | RefusalReason> {
  const candidates =
    person.email && person.emailConfirmed ? emailCandidates(person.email) : undefined;
  // The roles of the email's VAMS user are read beside the link, not after it: most people have
  // no link, and a link, when there is one, still wins.
  const [link, held] = await Promise.all([
    ports.linkOf(person.id),
    candidates
      ? Promise.all(
          candidates.map(async (userId) => ({ userId, roles: await ports.rolesOf(userId) })),
        )
      : undefined,
  ]);
  if (link) return { vamsUserId: link.vamsUserId, source: 'link', link };
  if (!candidates || !held) return 'no-confirmed-email';
  // VAMS user IDs are case-sensitive: when the email as given and lower-cased are two VAMS
  // users, either could be someone else, so neither is guessed.
  const withRoles = held.filter((candidate) => candidate.roles.length > 0);
  if (withRoles.length > 1) return 'ambiguous-email';
  const [owner] = withRoles;
  if (owner) return { vamsUserId: owner.userId, source: 'email-is-user-id', roles: owner.roles };
  const usernames = new Set(
    defined(await Promise.all(candidates.map((candidate) => ports.cognitoUsername(candidate)))),
  );
  if (usernames.size > 1) return 'ambiguous-email';
  const [asUsername] = usernames;
  if (asUsername) return { vamsUserId: asUsername, source: 'email-is-user-id' };
  const byEmail = await ports.cognitoUsernamesWithEmail(candidates);
  const [only, ...others] = byEmail;
  if (only === undefined) return 'no-match';
  // Two accounts with one email: picking either could hand someone else's rights over.
  if (others.length > 0) return 'ambiguous-email';
  return { vamsUserId: only, source: 'cognito-email' };
}

/** Who a Slack user is in VAMS, with their roles read live: VAMS never tells the bot of a change. */
export async function resolveIdentity(
  ports: IdentityPorts,
  request: IdentityRequest,
): Promise<Identity> {
  const person = await ports.slackPerson(request.slackUserId);
  const email = person?.email;
  const refusal = refusalOf(person, request);
  if (refusal || !person) {
    return {
      mapped: false,
      slackUserId: request.slackUserId,
      reason: refusal ?? 'unknown-slack-user',
      email,
    };
  }
  const mapping = await mappingOf(ports, person);
  if (typeof mapping === 'string') {
    return { mapped: false, slackUserId: request.slackUserId, reason: mapping, email };
  }
  return {
    mapped: true,
    slackUserId: request.slackUserId,
    vamsUserId: mapping.vamsUserId,
    source: mapping.source,
    ...(mapping.link ? { link: mapping.link } : {}),
    email,
    roles: mapping.roles ?? (await ports.rolesOf(mapping.vamsUserId)),
  };
}

/**
 * VAMS compares user IDs exactly (Cognito usernames, role rows, key owners), so ownership and
 * "is this about you" do too: `Pete@Example.com` and `pete@example.com` are two people.
 */
export function sameVamsUser(a: string, b: string): boolean {
  return a === b;
}
