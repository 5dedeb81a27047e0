export {
  defineEventType,
  type EventType,
  PostOffice,
  PostOfficeRef,
  postOffice,
  type TypedEvent,
} from './post-office.js';
