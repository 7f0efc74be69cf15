import { mountedRoutes } from '@bank/service-kit';
import pino from 'pino';
import type { AccountActors } from './account-client';
import type { TransferActors } from './transfer-client';
import { buildApp } from './app';
import { commandApiDocument } from './openapi';

describe('command API OpenAPI document', () => {
  const app = buildApp({
    log: pino({ level: 'silent' }),
    actors: {} as AccountActors,
    transfers: {} as TransferActors,
    readiness: [],
    verifyToken: async () => {
      throw new Error('not called');
    },
  });
  const doc = commandApiDocument();

  it('documents exactly the public routes that are mounted', () => {
    const mounted = mountedRoutes(app).filter((r) => r.includes('/api/'));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect([...documented].sort()).toEqual([...mounted].sort());
  });

  it('is OpenAPI 3.1 with the request schemas generated from zod (unknown fields rejected)', () => {
    expect(doc.openapi).toBe('3.1.0');
    const open = doc.paths['/api/v1/accounts']!.post as {
      requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
    };
    const schema = open.requestBody.content['application/json']!.schema;
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(schema.required).toEqual(expect.arrayContaining(['ownerId', 'ownerName', 'type', 'currency']));
  });
});
