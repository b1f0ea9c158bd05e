// Bundles the Lambda entry points (src/lambda.ts) into dist/lambda/index.js: one file with the
// `http`, `worker` and `schedule` handlers, the AWS SDK and Bolt included, so a cold start reads
// one module instead of resolving hundreds.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'lambda', 'index.js');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, 'src', 'lambda.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
const bytes = statSync(outfile).size;
process.stdout.write(`dist/lambda/index.js: ${(bytes / 1024 / 1024).toFixed(2)} MB\n`);
