import type { Server } from 'node:http';
import type { Logger } from './logger';

/** Closes the server and the given resources on SIGTERM/SIGINT, then exits. */
export function exitOnSignals(logger: Logger, closers: Array<() => Promise<unknown> | unknown>, server?: Server): void {
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    server?.closeAllConnections?.();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const closer of closers) {
      try {
        await closer();
      } catch (err) {
        logger.warn({ err }, 'error while closing');
      }
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));
}
