import { mountedRoutes, type DaprSidecar } from '@bank/service-kit';
import { buildApp } from './app';
import { stubDeps } from './app-stubs.test';
import type { LiveStream } from './live/stream-route';
import { queryApiDocument } from './openapi';

describe('query API OpenAPI document', () => {
  it('documents exactly the public routes that are mounted', () => {
    const app = buildApp(
      stubDeps({ stream: {} as LiveStream, operations: { sidecar: {} as DaprSidecar, remoteApps: {} } }),
    );
    const mounted = mountedRoutes(app).filter((r) => r.includes('/api/'));
    const doc = queryApiDocument();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect([...documented].sort()).toEqual([...mounted].sort());
    expect(doc.openapi).toBe('3.1.0');
  });
});
