import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Node } from 'constructs';
import type { VamsChatopsStackProps } from './vams-chatops-stack';

/** Context the app was not given, or given in a shape it cannot use; the message says which. */
export class ContextError extends Error {
  readonly code = 'cdk_context';
}

export type StackContext = Pick<
  VamsChatopsStackProps,
  | 'vamsUserPoolId'
  | 'vamsUserRolesTable'
  | 'vamsRolesTable'
  | 'vamsApiKeysTable'
  | 'approvalChannelId'
  | 'vamsAuthAuditLogGroup'
  | 'settings'
  | 'lambdaCodeDir'
>;

const REQUIRED = [
  { name: 'vamsUserPoolId', example: 'us-east-1_AbCdEf123', what: "VAMS's Cognito user pool id" },
  {
    name: 'vamsUserRolesTable',
    example: '<table name>',
    what: "VAMS's user-roles DynamoDB table",
  },
  { name: 'vamsRolesTable', example: '<table name>', what: "VAMS's roles DynamoDB table" },
  { name: 'vamsApiKeysTable', example: '<table name>', what: "VAMS's API keys DynamoDB table" },
  {
    name: 'approvalChannelId',
    example: 'C0123ABCD',
    what: 'the Slack channel where requests are approved',
  },
] as const;

type RequiredName = (typeof REQUIRED)[number]['name'];

function text(node: Node, name: string): string | undefined {
  const value: unknown = node.tryGetContext(name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ContextError(`context ${name} must be a string (got ${JSON.stringify(value)})`);
  }
  return value.trim() === '' ? undefined : value.trim();
}

/**
 * `-c settings='{"ADMIN_ROLES":"admin"}'` arrives as a string, a `settings` object in cdk.json as
 * an object: both are taken. Numbers and booleans become the strings the environment holds.
 */
function settingsOf(node: Node): Record<string, string> | undefined {
  let value: unknown = node.tryGetContext('settings');
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ContextError(
        `context settings must be a JSON object such as -c settings='{"ADMIN_ROLES":"admin"}' (got ${value})`,
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContextError(
      `context settings must be a JSON object of variable names and values (got ${JSON.stringify(value)})`,
    );
  }
  const settings: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' && typeof entry !== 'number' && typeof entry !== 'boolean') {
      throw new ContextError(
        `context settings: ${name} must be a string, a number or a boolean (got ${JSON.stringify(entry)})`,
      );
    }
    settings[name] = String(entry);
  }
  return settings;
}

/**
 * The stack's properties from the app's context (`-c name=value` or cdk.json). Every missing
 * value is named at once, each with the `-c` to pass. A relative `lambdaCodeDir` is taken from
 * the directory cdk runs in.
 */
export function stackContext(node: Node, defaultLambdaCodeDir: string): StackContext {
  const values = new Map<RequiredName, string>();
  const missing: string[] = [];
  for (const { name, example, what } of REQUIRED) {
    const value = text(node, name);
    if (value === undefined) missing.push(`  -c ${name}=${example}   (${what})`);
    else values.set(name, value);
  }
  if (missing.length > 0) {
    throw new ContextError(
      `vams-chatops needs these context values; pass each as -c name=value:\n${missing.join('\n')}`,
    );
  }
  const lambdaCodeDir = resolve(text(node, 'lambdaCodeDir') ?? defaultLambdaCodeDir);
  if (!existsSync(join(lambdaCodeDir, 'index.js'))) {
    throw new ContextError(
      `${lambdaCodeDir} holds no Lambda bundle (index.js): run \`npm run build:lambda\` at the repository root first, or pass -c lambdaCodeDir=<directory with index.js>`,
    );
  }
  const get = (name: RequiredName) => values.get(name) ?? '';
  const auditLogGroup = text(node, 'vamsAuthAuditLogGroup');
  const settings = settingsOf(node);
  return {
    vamsUserPoolId: get('vamsUserPoolId'),
    vamsUserRolesTable: get('vamsUserRolesTable'),
    vamsRolesTable: get('vamsRolesTable'),
    vamsApiKeysTable: get('vamsApiKeysTable'),
    approvalChannelId: get('approvalChannelId'),
    lambdaCodeDir,
    ...(auditLogGroup ? { vamsAuthAuditLogGroup: auditLogGroup } : {}),
    ...(settings ? { settings } : {}),
  };
}
