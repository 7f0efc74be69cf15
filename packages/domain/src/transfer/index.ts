export * from './events';
export * from './state';
export * from './commands';
export { transfer } from './decider';
export * from './codec';
export * from './step';
export * from './progress';
