import { mountedRoutes, type DaprSidecar } from '@bank/service-kit';
import pino from 'pino';
import { buildApp } from './app';
import type { LiveStream } from './live/stream-route';
import { queryApiDocument } from './openapi';
import type { ReadCollections } from './read-model';

describe('query API OpenAPI document', () => {
  it('documents exactly the public routes that are mounted', () => {
    const app = buildApp({
      log: pino({ level: 'silent' }),
      read: {} as ReadCollections,
      eventLog: { balanceAt: async () => undefined, audit: async () => undefined },
      transferStatus: async () => ({ ok: false, error: { code: 'TRANSFER_NOT_FOUND', message: '' } }),
      readiness: [],
      stream: {} as LiveStream,
      operations: { sidecar: {} as DaprSidecar, remoteApps: {} },
      verifyToken: async () => {
        throw new Error('not called');
      },
    });
    const mounted = mountedRoutes(app).filter((r) => r.includes('/api/'));
    const doc = queryApiDocument();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect([...documented].sort()).toEqual([...mounted].sort());
    expect(doc.openapi).toBe('3.1.0');
  });
});
