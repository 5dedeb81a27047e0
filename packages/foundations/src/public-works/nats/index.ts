export { NatsJetStreamEventBus, type NatsJetStreamEventBusOptions } from './nats-jetstream-event-bus.js';
