export {
  CommunicationDirector,
  CommunicationDirectorRef,
  communicationDirector,
  RequestRoutedEvent,
  type RouteEnvelope,
} from './communication-director.js';
