import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackContext } from './context';
import { userPoolRegion, VamsChatopsStack } from './vams-chatops-stack';

export const STACK_NAME = 'VamsChatops';

/**
 * The stack from the app's context, checked against the AWS Solutions rules: a finding nobody
 * acknowledged with a reason fails synthesis.
 */
export function buildApp(app: App, defaultLambdaCodeDir: string): VamsChatopsStack {
  const context = stackContext(app.node, defaultLambdaCodeDir);
  const stack = new VamsChatopsStack(app, STACK_NAME, {
    ...context,
    description: 'vams-chatops: Slack approvals for a VAMS deployment (users, roles, API keys)',
    // VAMS's region, whatever the shell's default: the bot reaches the pool and tables there.
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: userPoolRegion(context.vamsUserPoolId),
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
