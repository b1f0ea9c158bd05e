import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../deploy/lib/app';
import type { VamsChatopsStack } from '../../deploy/lib/vams-chatops-stack';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

/** The context a deployment passes, as `-c name=value` would. */
export const CONTEXT = {
  vamsUserPoolId: 'us-east-1_Example1',
  vamsUserRolesTable: 'vams-user-roles',
  vamsRolesTable: 'vams-roles',
  vamsApiKeysTable: 'vams-api-keys',
  approvalChannelId: 'C0APPROVALS',
  vamsAuthAuditLogGroup: '/vams/AuthChanges',
  settings: '{"ADMIN_ROLES":"vams-admin","MANAGER_ROLES":"vams-manager","REQUEST_TTL_HOURS":48}',
};

/** A stand-in bundle, so that the stack can be built before `npm run build:lambda` ran. */
export function lambdaCodeDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vams-chatops-lambda-'));
  writeFileSync(
    join(dir, 'index.js'),
    'exports.http = async () => ({ statusCode: 200, body: "" });\n' +
      'exports.worker = async () => ({ batchItemFailures: [] });\n' +
      'exports.schedule = async () => undefined;\n',
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The app as `cdk synth` builds it, with credentials for ACCOUNT (the CLI passes the account in
 * CDK_DEFAULT_ACCOUNT), so that ARNs carry it literally.
 */
export function buildStack(
  context: Record<string, unknown>,
  codeDir: string,
): { app: App; stack: VamsChatopsStack } {
  const before = process.env.CDK_DEFAULT_ACCOUNT;
  process.env.CDK_DEFAULT_ACCOUNT = ACCOUNT;
  try {
    const app = new App({ context: { lambdaCodeDir: codeDir, ...context } });
    return { app, stack: buildApp(app, codeDir) };
  } finally {
    if (before === undefined) delete process.env.CDK_DEFAULT_ACCOUNT;
    else process.env.CDK_DEFAULT_ACCOUNT = before;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A template value as a string: `Ref`s and `GetAtt`s in angle brackets, joins joined. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    if (typeof value.Ref === 'string') return `<${value.Ref}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(render).join('.')}>`;
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(render).join(join[0]);
    }
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return sub;
  }
  throw new Error(`no string form for ${JSON.stringify(value)}`);
}

export interface Statement {
  sid: string;
  effect: string;
  actions: string[];
  resources: string[];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Every statement of a policy document, actions and resources sorted, resources rendered. */
export function statementsOf(document: unknown): Statement[] {
  if (!isRecord(document) || !Array.isArray(document.Statement)) {
    throw new Error(`not a policy document: ${JSON.stringify(document)}`);
  }
  return document.Statement.map((entry: unknown) => {
    if (!isRecord(entry)) throw new Error(`not a statement: ${JSON.stringify(entry)}`);
    return {
      sid: typeof entry.Sid === 'string' ? entry.Sid : '',
      effect: String(entry.Effect),
      actions: list(entry.Action).map(String).sort(),
      resources: list(entry.Resource).map(render).sort(),
    };
  });
}

/** The one resource of `type` whose logical id starts with `prefix`. */
export function logicalId(
  resources: Record<string, Record<string, unknown>>,
  type: string,
  prefix: string,
): string {
  const ids = Object.entries(resources)
    .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  if (ids.length !== 1 || ids[0] === undefined) {
    throw new Error(`expected one ${type} named ${prefix}…, found ${ids.join(', ') || 'none'}`);
  }
  return ids[0];
}
