export {
  ApiGateway,
  ApiGatewayRef,
  apiGateway,
  type RoutedResult,
  type RouteMatch,
  type RouteRequest,
} from './api-gateway.js';
