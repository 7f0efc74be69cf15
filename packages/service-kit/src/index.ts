export * from './config';
export * from './logger';
export * from './problem';
export * from './http';
export * from './dapr';
export * from './lifecycle';
export * from './event-log-client';
export * from './openapi';
