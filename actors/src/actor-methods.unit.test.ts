import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { guardActorCalls } from './actor-methods';

// What reaches the SDK's actor routes: only the methods of the table, from the apps it names, and
// the runtime's reminder and timer callbacks.
const tokens = {
  'command-api': 'secret-of-command-api',
  actors: 'secret-of-actors',
  'query-api': 'secret-of-query-api',
};
let server: Server;
let base: string;
beforeAll(async () => {
  const app = express();
  app.use(
    guardActorCalls({ BankAccount: { execute: ['command-api'], view: ['actors'] }, Ping: { ping: ['*'] } }, tokens),
  );
  app.use((_req, res) => {
    res.json({ reached: true });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const call = async (path: string, caller?: string) => {
  const res = await fetch(`${base}${path}`, {
    method: 'PUT',
    headers: caller === undefined ? {} : { 'bank-actor-caller': caller },
  });
  return { status: res.status, body: (await res.json()) as { reached?: boolean; code?: string } };
};

it('lets each method through from the apps it names, and reminders, timers and other routes from anyone', async () => {
  for (const [path, caller] of [
    ['/actors/BankAccount/a-1/method/execute', tokens['command-api']],
    ['/actors/BankAccount/a-1/method/view', tokens.actors],
    ['/actors/Ping/p-1/method/ping', tokens['query-api']],
    ['/actors/Transfer/t-1/method/remind/retry', undefined],
    ['/actors/Transfer/t-1/method/timer/tick', undefined],
    ['/dapr/config', undefined],
  ]) {
    expect([path, (await call(path!, caller)).body.reached]).toEqual([path, true]);
  }
});

it('answers 403 to any other app, and to a made-up or missing token', async () => {
  for (const [path, caller] of [
    ['/actors/BankAccount/a-1/method/execute', tokens.actors],
    ['/actors/BankAccount/a-1/method/execute', tokens['query-api']],
    ['/actors/BankAccount/a-1/method/view', tokens['command-api']],
    ['/actors/BankAccount/a-1/method/view', 'secret-of-actors2'],
    ['/actors/BankAccount/a-1/method/view', ''],
    ['/actors/BankAccount/a-1/method/view', undefined],
    ['/actors/Ping/p-1/method/ping', 'guess'],
    ['/actors/Ping/p-1/method/ping', undefined],
  ]) {
    expect([path, caller, await call(path!, caller)]).toEqual([
      path,
      caller,
      { status: 403, body: expect.objectContaining({ code: 'FORBIDDEN' }) },
    ]);
  }
});

it('answers 404 for any method not in the table, however it is spelled, whoever calls', async () => {
  for (const path of [
    '/actors/BankAccount/a-1/method/persist',
    '/actors/BankAccount/a-1/method/onDeactivate',
    '/actors/BankAccount/a-1/method/%70ersist',
    '/actors/BankAccount/a-1/method/constructor',
    '/actors/BankAccount/a-1/method/__proto__',
    '/actors/Unknown/a-1/method/execute',
  ]) {
    expect([path, await call(path, tokens.actors)]).toEqual([
      path,
      { status: 404, body: expect.objectContaining({ code: 'ROUTE_NOT_FOUND' }) },
    ]);
  }
});

it('refuses a table whose apps share a token', () => {
  expect(() => guardActorCalls({}, { a: 'same', b: 'same' })).toThrow(/share/);
});
