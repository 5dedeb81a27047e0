export { ApiGateway, ApiGatewayRef, apiGateway, type RoutedResult, type RouteRequest } from './api-gateway.js';
