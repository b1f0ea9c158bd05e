import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ContextError, stackContext } from '../../deploy/lib/context';
import {
  StackConfigError,
  userPoolRegion,
  VamsChatopsStack,
} from '../../deploy/lib/vams-chatops-stack';
import { buildStack, CONTEXT, lambdaCodeDir } from './stack-fixture';

const code = lambdaCodeDir();
afterAll(() => code.remove());

const contextOf = (context: Record<string, unknown>, defaultDir = code.dir) =>
  stackContext(new App({ context }).node, defaultDir);

const required = {
  vamsUserPoolId: CONTEXT.vamsUserPoolId,
  vamsUserRolesTable: CONTEXT.vamsUserRolesTable,
  vamsRolesTable: CONTEXT.vamsRolesTable,
  vamsApiKeysTable: CONTEXT.vamsApiKeysTable,
  approvalChannelId: CONTEXT.approvalChannelId,
};

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}

describe('stack context', () => {
  it('names every missing value with the -c to pass', () => {
    const error = errorOf(() => contextOf({ vamsRolesTable: 'vams-roles' }));
    expect(error).toBeInstanceOf(ContextError);
    expect(error.message).toContain('-c vamsUserPoolId=us-east-1_AbCdEf123');
    expect(error.message).toContain('-c vamsUserRolesTable=');
    expect(error.message).toContain('-c vamsApiKeysTable=');
    expect(error.message).toContain('-c approvalChannelId=C0123ABCD');
    expect(error.message).not.toContain('-c vamsRolesTable=');
    expect(error.message).not.toContain('vamsAuthAuditLogGroup');
  });

  it('takes an empty value as missing', () => {
    expect(errorOf(() => contextOf({ ...required, approvalChannelId: ' ' })).message).toContain(
      '-c approvalChannelId=',
    );
  });

  it('takes the optional values and the settings as JSON text or as an object', () => {
    expect(
      contextOf({ ...required, settings: '{"ADMIN_ROLES":"admin","OFFBOARD_APPROVALS":2}' }),
    ).toEqual({
      ...required,
      lambdaCodeDir: code.dir,
      settings: { ADMIN_ROLES: 'admin', OFFBOARD_APPROVALS: '2' },
    });
    expect(
      contextOf({
        ...required,
        vamsAuthAuditLogGroup: '/vams/AuthChanges',
        settings: { ALLOW_SELF_APPROVAL: false },
      }),
    ).toEqual({
      ...required,
      lambdaCodeDir: code.dir,
      vamsAuthAuditLogGroup: '/vams/AuthChanges',
      settings: { ALLOW_SELF_APPROVAL: 'false' },
    });
  });

  it('refuses settings that are not an object of plain values', () => {
    expect(
      errorOf(() => contextOf({ ...required, settings: 'ADMIN_ROLES=admin' })).message,
    ).toMatch(/settings must be a JSON object/);
    expect(errorOf(() => contextOf({ ...required, settings: '["admin"]' })).message).toMatch(
      /settings must be a JSON object/,
    );
    expect(
      errorOf(() => contextOf({ ...required, settings: { ADMIN_ROLES: ['admin'] } })).message,
    ).toMatch(/ADMIN_ROLES must be a string, a number or a boolean/);
  });

  it('needs a bundle: the default directory, or the one given', () => {
    const empty = mkdtempSync(join(tmpdir(), 'vams-chatops-empty-'));
    try {
      const error = errorOf(() => contextOf(required, empty));
      expect(error).toBeInstanceOf(ContextError);
      expect(error.message).toContain('npm run build:lambda');
      expect(error.message).toContain('-c lambdaCodeDir=');
      expect(contextOf({ ...required, lambdaCodeDir: code.dir }, empty).lambdaCodeDir).toBe(
        code.dir,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('stack properties', () => {
  const build = (context: Record<string, unknown>) => () => buildStack(context, code.dir);

  it('reads the region from the user pool id', () => {
    expect(userPoolRegion('us-east-1_AbCdEf123')).toBe('us-east-1');
    expect(userPoolRegion('ap-southeast-2_X1')).toBe('ap-southeast-2');
    expect(() => userPoolRegion('AbCdEf123')).toThrow(StackConfigError);
  });

  it('refuses a stack in another region than the pool', () => {
    const error = errorOf(
      () =>
        new VamsChatopsStack(new App(), 'Elsewhere', {
          ...required,
          lambdaCodeDir: code.dir,
          env: { region: 'eu-west-1' },
        }),
    );
    expect(error).toBeInstanceOf(StackConfigError);
    expect(error.message).toContain('deploy to us-east-1');
  });

  it('refuses values VAMS and Slack could never hold', () => {
    const error = errorOf(
      build({
        ...CONTEXT,
        vamsUserRolesTable: 'no spaces',
        approvalChannelId: 'general',
        vamsAuthAuditLogGroup: 'bad group name!',
      }),
    );
    expect(error).toBeInstanceOf(StackConfigError);
    expect(error.message).toContain('vamsUserRolesTable must be a DynamoDB table name');
    expect(error.message).toContain('approvalChannelId must be a Slack channel id');
    expect(error.message).toContain('vamsAuthAuditLogGroup must be a CloudWatch Logs group name');
  });

  it.each([
    ['BOT_TABLE', 'set by the stack itself'],
    ['COGNITO_USER_POOL_ID', 'set by the stack itself'],
    ['VAMS_AUTH_AUDIT_LOG_GROUP', 'set by the stack itself'],
    ['SLACK_BOT_TOKEN', 'belongs in the Slack secret'],
    ['SLACK_SIGNING_SECRET', 'belongs in the Slack secret'],
    ['SLACK_APP_TOKEN', 'Socket Mode'],
    ['AWS_REGION', 'reserved by Lambda'],
    ['AWS_LAMBDA_FUNCTION_NAME', 'reserved by Lambda'],
    ['admin_roles', 'not a configuration variable name'],
  ])('refuses %s in settings (%s)', (name, why) => {
    const error = errorOf(build({ ...CONTEXT, settings: { [name]: 'x' } }));
    expect(error).toBeInstanceOf(StackConfigError);
    expect(error.message).toContain(name);
    expect(error.message).toContain(why);
  });
});
