export * from './money';
export * from './errors';
export * from './decider';
export * from './account';
export * from './ids';
export * from './envelope';
export * from './contracts';
