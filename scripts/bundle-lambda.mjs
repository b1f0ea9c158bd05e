// Bundles the Lambda entry points (src/lambda.ts) into dist/lambda/index.js: one file with the
// `http`, `worker` and `schedule` handlers, the AWS SDK and Bolt included, so a cold start reads
// one module instead of resolving hundreds.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Bolt loads every receiver when it loads: Socket Mode (with its WebSocket client) and Express
// (with its body parsers and charset tables). Lambda uses neither; leaving them out of the
// bundle saves a third of the code a cold start compiles. A stub that throws says so if one is
// ever reached.
const NOT_ON_LAMBDA = /^(@slack\/socket-mode|express|body-parser|raw-body)$/;
const leaveOut = {
  name: 'leave-out-servers',
  setup(build) {
    build.onResolve({ filter: NOT_ON_LAMBDA }, (args) => ({
      path: args.path,
      namespace: 'left-out',
    }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents:
        `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not in the Lambda bundle`)}); };\n` +
        "module.exports = new Proxy(fail, { get: (_t, key) => (key === '__esModule' ? false : fail) });",
      loader: 'js',
    }));
  },
};

// zod carries its messages in 40 languages (a sixth of the bundle); the bot speaks English.
// mime-db, the media-type table behind Slack's file uploads, is never consulted: the bot
// uploads no files.
const trimmed = {
  name: 'trim-unused-data',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.(c?js)$/ }, (args) =>
      /zod[/]v4[/](classic|core)[/]/.test(args.importer)
        ? {
            path: join(
              dirname(args.importer),
              '..',
              'locales',
              `en.${args.path.endsWith('.cjs') ? 'cjs' : 'js'}`,
            ),
            namespace: 'zod-en',
          }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
    build.onResolve({ filter: /^mime-db$/ }, () => ({
      path: 'mime-db',
      namespace: 'left-out-data',
    }));
    build.onLoad({ filter: /.*/, namespace: 'left-out-data' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'lambda', 'index.js');
mkdirSync(dirname(outfile), { recursive: true });
const result = await build({
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
  plugins: [leaveOut, trimmed],
  metafile: true,
});
const bytes = statSync(outfile).size;
process.stdout.write(`dist/lambda/index.js: ${(bytes / 1024 / 1024).toFixed(2)} MB\n`);
if (process.env.BUNDLE_REPORT) {
  const inputs =
    Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('.js'))?.[1]?.inputs ??
    {};
  const byPackage = {};
  for (const [path, input] of Object.entries(inputs)) {
    const name = path.match(/node_modules\/((@[^/]+\/)?[^/]+(\/v4\/[^/]+)?)/)?.[1] ?? 'src';
    byPackage[name] = (byPackage[name] ?? 0) + input.bytesInOutput;
  }
  for (const [name, bytes] of Object.entries(byPackage)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15))
    process.stdout.write(`  ${(bytes / 1024).toFixed(0).padStart(6)} kB  ${name}\n`);
}
