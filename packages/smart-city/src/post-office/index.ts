export {
  defineEventType,
  type EventType,
  PostOffice,
  PostOfficeRef,
  type PostOfficeSubscribeOptions,
  postOffice,
  type TypedEvent,
} from './post-office.js';
