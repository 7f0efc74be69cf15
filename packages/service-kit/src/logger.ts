import pino from 'pino';

export type Logger = pino.Logger;

/** One JSON line per event; the correlation id goes in as a field of child loggers. */
export function createLogger(app: string): Logger {
  return pino({
    name: app,
    level: process.env.LOG_LEVEL ?? 'info',
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
