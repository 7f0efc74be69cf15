import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { onlyPublicActorMethods } from './actor-methods';

// What reaches the SDK's actor routes: only the public methods of known types, and the runtime's
// reminder and timer callbacks.
let server: Server;
let base: string;
beforeAll(async () => {
  const app = express();
  app.use(onlyPublicActorMethods({ BankAccount: ['execute', 'view'] }));
  app.use((_req, res) => {
    res.json({ reached: true });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const call = async (path: string) => {
  const res = await fetch(`${base}${path}`, { method: 'PUT' });
  return { status: res.status, body: (await res.json()) as { reached?: boolean; code?: string } };
};

it('lets public methods, reminders, timers and other routes through', async () => {
  for (const path of [
    '/actors/BankAccount/a-1/method/execute',
    '/actors/BankAccount/a-1/method/view',
    '/actors/Transfer/t-1/method/remind/retry',
    '/actors/Transfer/t-1/method/timer/tick',
    '/dapr/config',
  ]) {
    expect([path, (await call(path)).body.reached]).toEqual([path, true]);
  }
});

it('answers 404 for any other method, however it is spelled', async () => {
  for (const path of [
    '/actors/BankAccount/a-1/method/persist',
    '/actors/BankAccount/a-1/method/onDeactivate',
    '/actors/BankAccount/a-1/method/%70ersist',
    '/actors/BankAccount/a-1/method/constructor',
    '/actors/Unknown/a-1/method/execute',
  ]) {
    expect([path, await call(path)]).toEqual([
      path,
      { status: 404, body: expect.objectContaining({ code: 'ROUTE_NOT_FOUND' }) },
    ]);
  }
});
