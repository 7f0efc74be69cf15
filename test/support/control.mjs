// A tiny HTTP server in the test runner's main process that lets crash tests kill -9 and restart
// the stack's processes (the supervisor lives here, not in the test workers).
import fs from 'node:fs';
import http from 'node:http';
import { httpOk, tcpOpen, waitFor } from '../../scripts/stack/supervisor.mjs';

/**
 * @param {import('../../scripts/stack/stack.mjs').Stack} stack
 * @param {number} port
 * @returns {Promise<{ url: string, close: () => Promise<unknown> }>}
 */
export async function startControl(stack, port) {
  const ready = (name) => {
    const app = stack.layout.apps[name.replace(/-daprd$/, '')];
    const port = stack.layout[name]?.port;
    if (!app) return port ? () => tcpOpen(port) : () => Promise.resolve(true);
    return name.endsWith('-daprd')
      ? () => httpOk(`http://127.0.0.1:${app.daprHTTPPort}/v1.0/healthz/outbound`)
      : () => httpOk(`http://127.0.0.1:${app.appPort}/readyz`);
  };
  const server = http.createServer(async (req, res) => {
    const [, action, name] = (req.url ?? '').split('/');
    try {
      if (req.method !== 'POST') throw new Error('POST /kill/{name}, /restart/{name} or /wipe/redis');
      if (action === 'kill') await stack.supervisor.kill(name);
      else if (action === 'restart') {
        const entry = stack.supervisor.restart(name);
        await waitFor(name, ready(name), { entry, timeoutMs: 90_000 });
      } else if (action === 'wipe' && name === 'redis') {
        // Everything Redis held is lost: kill -9, its data directory emptied, started again.
        const { args } = stack.supervisor.find(name).spec;
        const dir = args[args.indexOf('--dir') + 1];
        await stack.supervisor.kill(name);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        const entry = stack.supervisor.restart(name);
        await waitFor(name, ready(name), { entry, timeoutMs: 30_000 });
      } else throw new Error(`unknown action ${action}`);
      res.writeHead(204).end();
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err instanceof Error ? (err.stack ?? err) : err));
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
