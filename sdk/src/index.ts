export * from './fields';
export * from './entities';
export * from './query';
export * from './errors';
export * from './records';
export * from './plugin';
export * from './access';
export * from './scripts';
