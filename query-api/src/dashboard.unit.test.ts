import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTestIssuer } from '../../test/support/issuer';
import { buildApp } from './app';
import { stubDeps } from './app-stubs.test';
import type { DashboardOptions } from './dashboard';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

async function serve(dashboard: DashboardOptions): Promise<string> {
  const issuer = await createTestIssuer();
  const app = buildApp(
    stubDeps({
      verifyToken: issuer.verifyToken,
      dashboard,
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function builtDashboard(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-dist-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Core bank</title>');
  fs.writeFileSync(path.join(dir, 'app.js'), 'export {};');
  return dir;
}

describe('the dashboard on the query API', () => {
  it('serves the built page at / without a token, under a same-origin CSP that lets it reach the command API', async () => {
    const base = await serve({ commandApiUrl: 'http://127.0.0.1:3000/', distDir: builtDashboard() });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Core bank</title>');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:3000");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/app.js`)).headers.get('content-type')).toContain('javascript');
  });

  it('tells the page where the command API is, and still guards every /api/v1 route', async () => {
    const base = await serve({ commandApiUrl: 'http://127.0.0.1:3000/', distDir: builtDashboard() });
    expect(await (await fetch(`${base}/dashboard/config.json`)).json()).toEqual({
      commandApiUrl: 'http://127.0.0.1:3000',
    });
    expect((await fetch(`${base}/api/v1/accounts`)).status).toBe(401);
  });

  it('answers 503 with a problem that says to build it when the dashboard is not built', async () => {
    const missing = path.join(os.tmpdir(), `no-dashboard-${process.pid}`);
    const base = await serve({ commandApiUrl: 'http://127.0.0.1:3000', distDir: missing });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      detail: expect.stringContaining('npm run build'),
    });
  });
});
