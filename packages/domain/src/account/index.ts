export * from './commands';
export * from './events';
export * from './state';
export * from './decider';
export * from './codec';
