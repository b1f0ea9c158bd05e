import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { ContextError } from '../lib/context';
import { StackConfigError } from '../lib/vams-chatops-stack';

try {
  buildApp(new App(), join(__dirname, '..', '..', 'dist', 'lambda'));
} catch (error) {
  // A value to fix, not a fault in the app: its message alone, without a stack trace.
  if (!(error instanceof ContextError || error instanceof StackConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
