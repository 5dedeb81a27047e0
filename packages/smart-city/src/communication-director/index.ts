export {
  CommunicationDirector,
  CommunicationDirectorRef,
  communicationDirector,
  type DirectedRequest,
  RequestRoutedEvent,
  type RouteEnvelope,
} from './communication-director.js';
