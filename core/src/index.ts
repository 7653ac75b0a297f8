/** @plinth/core — the kernel's public entry. */
export { Platform, PLATFORM_VERSION, type PlatformOptions } from './app/platform';
export { loadConfig, ConfigError, type Config, type DatabaseConfig } from './app/config';
export { createLogger, type Logger } from './app/logger';
export { Database } from './data/database';
export { MetaRegistry, MetadataError } from './meta/registry';
export { PluginError } from './plugins/discovery';
export { orderByDependencies } from './plugins/order';
