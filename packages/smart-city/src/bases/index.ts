export { RealmServiceBase, type RealmServiceDeps } from './realm-service-base.js';
export { type RoleDeps, SmartCityRoleBase } from './smart-city-role-base.js';
