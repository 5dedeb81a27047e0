export { CityManager, CityManagerRef, type RoleState, smartCityModule } from './city-manager.js';
