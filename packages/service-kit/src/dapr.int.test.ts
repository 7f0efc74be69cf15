import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DaprSidecar, SidecarError } from './dapr';

// A daprd with no app, loading the project's component files against the test Redis:
// proves the state store and pub/sub components and this client on the real runtime.
const httpPort = Number(process.env.TEST_FREE_PORT_BASE);
let daprd: ChildProcess;
const sidecar = new DaprSidecar({ host: '127.0.0.1', httpPort });

beforeAll(async () => {
  daprd = spawn(
    process.env.DAPRD_PATH!,
    [
      '--app-id',
      'it-sidecar',
      '--dapr-http-port',
      String(httpPort),
      '--dapr-grpc-port',
      String(httpPort + 1),
      '--dapr-internal-grpc-port',
      String(httpPort + 2),
      '--metrics-port',
      String(httpPort + 3),
      '--dapr-listen-addresses',
      '127.0.0.1',
      '--resources-path',
      process.env.DAPR_RESOURCES_PATH!,
      '--config',
      process.env.DAPR_CONFIG_PATH!,
      '--placement-host-address',
      process.env.PLACEMENT_ADDRESS!,
      '--scheduler-host-address',
      process.env.SCHEDULER_ADDRESS!,
      '--enable-mtls',
      '--sentry-address',
      process.env.SENTRY_ADDRESS!,
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', logFile(), logFile()],
      env: { ...process.env, DAPR_TRUST_ANCHORS: fs.readFileSync(process.env.BANK_TRUST_ANCHORS_FILE!, 'utf8') },
    },
  );
  await sidecar.waitUntilHealthy(60_000);
});

afterAll(async () => {
  daprd.kill('SIGTERM');
  await new Promise((r) => daprd.once('exit', r));
});

describe('Dapr sidecar client with the Redis components', () => {
  it('saves and reads state in the Redis state store', async () => {
    const key = `it-${randomUUID()}`;
    expect(await sidecar.getState('statestore', key)).toBeUndefined();
    await sidecar.saveState('statestore', key, { tx: 42 });
    expect(await sidecar.getState('statestore', key)).toEqual({ tx: 42 });
  });

  it('saves conditionally: first write only if absent, then only at the ETag that was read', async () => {
    const key = `it-${randomUUID()}`;
    expect(await sidecar.getStateEntry('statestore', key)).toBeUndefined();
    expect(await sidecar.saveStateIfUnchanged('statestore', key, { n: 1 }, undefined)).toBe(true);
    // A second "create" loses: the key exists now.
    expect(await sidecar.saveStateIfUnchanged('statestore', key, { n: 99 }, undefined)).toBe(false);
    const first = await sidecar.getStateEntry<{ n: number }>('statestore', key);
    expect(first?.value).toEqual({ n: 1 });
    expect(await sidecar.saveStateIfUnchanged('statestore', key, { n: 2 }, first!.etag)).toBe(true);
    // A writer still holding the old ETag loses and changes nothing.
    expect(await sidecar.saveStateIfUnchanged('statestore', key, { n: 3 }, first!.etag)).toBe(false);
    expect((await sidecar.getStateEntry('statestore', key))?.value).toEqual({ n: 2 });
  });

  it('publishes to the Redis pub/sub component (a Redis stream per topic)', async () => {
    const topic = `it-topic-${randomUUID()}`;
    await sidecar.publish('pubsub', topic, { hello: 'world' });
    await sidecar.publish('pubsub', topic, { hello: 'again' });
    expect(await redis(['XLEN', topic])).toBe(':2');
  });

  it('reports a missing component as an error with its status, not as success', async () => {
    const err = await sidecar.publish('no-such-pubsub', 't', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SidecarError);
    expect((err as SidecarError).status).toBe(404);
  });

  it('talks to a Redis that refuses clients without the installation password', async () => {
    expect(await redis(['PING'], 'wrong-password')).toMatch(/^-WRONGPASS/);
    expect(await redis(['PING'])).toBe('+PONG');
  });

  it('reports an unreachable sidecar with no status', async () => {
    const nowhere = new DaprSidecar({ host: '127.0.0.1', httpPort: 1, timeoutMs: 1000 });
    const err = await nowhere.healthy().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SidecarError);
    expect((err as SidecarError).status).toBeUndefined();
  });
});

describe('a sidecar that cannot reach placement or the scheduler', () => {
  // What an app's /readyz asks (ready) sees it; what an app waits for at start (healthy) does not.
  const port = Number(process.env.TEST_FREE_PORT_BASE) + 4; // after the first sidecar's four
  let lonely: ChildProcess;
  beforeAll(async () => {
    const empty = fs.mkdtempSync(path.join(process.env.BANK_TEST_DATA_DIR!, 'no-components-'));
    lonely = spawn(
      process.env.DAPRD_PATH!,
      [
        ['--app-id', 'it-lonely'],
        ['--dapr-http-port', String(port)],
        ['--dapr-grpc-port', String(port + 1)],
        ['--dapr-internal-grpc-port', String(port + 2)],
        ['--metrics-port', String(port + 3)],
        ['--dapr-listen-addresses', '127.0.0.1'],
        ['--resources-path', empty],
        ['--placement-host-address', '127.0.0.1:1'],
        ['--scheduler-host-address', '127.0.0.1:1'],
        ['--log-level', 'warn'],
      ].flat(),
      { stdio: ['ignore', logFile(), logFile()] },
    );
  });
  afterAll(async () => {
    if (lonely.exitCode !== null || lonely.signalCode !== null) return;
    const exited = new Promise((r) => lonely.once('exit', r));
    lonely.kill('SIGTERM');
    await exited;
  });

  it('is healthy for an app to start on, and not ready', async () => {
    const client = new DaprSidecar({ host: '127.0.0.1', httpPort: port });
    await client.waitUntilHealthy(30_000);
    const err = await client.ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SidecarError);
    expect(JSON.stringify((err as SidecarError).body)).toMatch(/placement|scheduler/i);
  });
});

/** One Redis command over RESP after AUTH; returns its reply's first line (or AUTH's, if refused). */
function redis(args: string[], password = process.env.REDIS_PASSWORD!): Promise<string> {
  const [host, port] = process.env.REDIS_ADDRESS!.split(':');
  const command = (parts: string[]) =>
    `*${parts.length}\r\n${parts.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    let replies = '';
    const socket = net.connect(Number(port), host, () => {
      socket.write(command(['AUTH', password]) + command(args));
    });
    socket.on('data', (data) => {
      replies += data.toString();
      const lines = replies.split('\r\n');
      if (lines.length < 3) return;
      resolve(lines[0] === '+OK' ? lines[1]! : lines[0]!);
      socket.end();
    });
    socket.once('error', reject);
  });
}

function logFile(): number {
  return fs.openSync(path.join(process.env.BANK_TEST_DATA_DIR!, 'it-sidecar.log'), 'a');
}
