export {
  type RateDecision,
  type RateLimit,
  type Session,
  TrafficCop,
  type TrafficCopOptions,
  TrafficCopRef,
  trafficCop,
} from './traffic-cop.js';
