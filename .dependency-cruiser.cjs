// Layer rules, run by `npm run layers` as part of `npm test`.
//
// From the bottom up: src/domain (shapes and pure rules) → src/vams, src/auth, src/workflow and
// src/kinds (the lifecycle, the policy and each kind's rules) → src/views (Block Kit from view
// models) → adapters (src/stores, src/gateways, src/slack, src/backend, src/aws, src/metrics) →
// src/commands → src/app.ts, the composition root. Paths are matched unanchored on `node_modules/` because a
// worktree may reach node_modules through a symlink.

const CORE = '^src/(domain|auth|workflow|vams|kinds)/';
const ADAPTERS = '^src/(stores|gateways|slack|backend|aws|metrics)/';
const SDK = '(^|/)@(aws-sdk|smithy)/';
// Metrics libraries belong to their adapters; the core records samples through its port.
const METRICS_LIBS = '(^|/)(prom-client|@aws-lambda-powertools)/';
const APP = '^src/app\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes every module in it depend on all the others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-the-bottom',
      comment: 'src/domain holds shapes every layer shares, so it may use only zod and node.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^src/domain/', '^src/kinds/[^/]+/params\\.ts$', '(^|/)node_modules/zod/'],
      },
    },
    {
      name: 'kind-params-are-leaves',
      comment:
        "A kind's params schema is part of the shared request shape: it may use only zod, so the " +
        'bottom layer can hold it without reaching anything above.',
      severity: 'error',
      from: { path: '^src/kinds/[^/]+/params\\.ts$' },
      to: { dependencyTypesNot: ['core'], pathNot: ['(^|/)node_modules/zod/'] },
    },
    {
      name: 'core-knows-no-slack-or-sdk',
      comment:
        'The lifecycle, policy and kinds work through ports, so they run the same behind Slack, ' +
        'a Lambda worker or a test.',
      severity: 'error',
      from: { path: CORE },
      to: {
        path: [
          '(^|/)@slack/',
          SDK,
          METRICS_LIBS,
          '^src/(slack|stores|gateways|commands|backend|aws|metrics)/',
          APP,
        ],
      },
    },
    {
      name: 'core-reaches-no-slack-or-sdk',
      comment:
        'Through a shared module too: a type-only import of one that loads Bolt still ties the ' +
        'core to Slack.',
      severity: 'error',
      from: { path: CORE },
      to: { path: ['(^|/)@slack/', SDK], reachable: true },
    },
    {
      name: 'views-are-pure',
      comment: 'Views turn a view model into Block Kit: @slack/types only, no I/O.',
      severity: 'error',
      from: { path: '^src/views/' },
      to: {
        path: [
          '(^|/)@slack/(?!types/)',
          SDK,
          '^src/(slack|stores|gateways|commands|backend|aws|metrics)/',
          APP,
        ],
      },
    },
    {
      name: 'views-reach-no-slack-io-or-sdk',
      severity: 'error',
      from: { path: '^src/views/' },
      to: { path: ['(^|/)@slack/(?!types/)', SDK], reachable: true },
    },
    {
      name: 'adapters-stay-below-commands',
      comment: 'Adapters implement ports; the commands and the composition root use them.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: ['^src/commands/', APP] },
    },
    {
      name: 'nothing-imports-the-app',
      comment: 'src/app.ts is the composition root; importing it starts the whole bot.',
      severity: 'error',
      from: {},
      to: { path: APP },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|demo)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a type from the SDK ties a layer to the SDK as much as a value does.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
