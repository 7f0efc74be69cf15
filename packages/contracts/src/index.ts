export * from './event-log';
export * from './account-actor';
export * from './read-model';
export * from './transfer';
export * from './public-json';
