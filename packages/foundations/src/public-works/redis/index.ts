export { RedisKeyValueStore, type RedisKeyValueStoreOptions } from './redis-key-value-store.js';
export { RedisStreamsEventBus, type RedisStreamsEventBusOptions } from './redis-streams-event-bus.js';
