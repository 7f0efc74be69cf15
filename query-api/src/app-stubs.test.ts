/** What a unit test of some query API routes builds the app with: stubs for everything it does not use. */
import pino from 'pino';
import type { buildApp } from './app';
import type { ReadCollections } from './read-model';

export type AppDeps = Parameters<typeof buildApp>[0];

export function stubDeps(overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    log: pino({ level: 'silent' }),
    read: {} as ReadCollections,
    eventLog: { balanceAt: async () => undefined, audit: async () => undefined, readAll: async () => [] },
    readiness: [],
    verifyToken: async () => {
      throw new Error('this test verifies no token');
    },
    ...overrides,
  };
}
