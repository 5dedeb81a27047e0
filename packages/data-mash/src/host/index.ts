export { DATA_MASH_API, DATA_MASH_PERMISSIONS, DataMashApi, DataMashApiRef, dataMashApi } from './data-mash-api.js';
export {
  type DataMashModuleOptions,
  type DataMashModulesOptions,
  dataMashModule,
  dataMashModules,
} from './modules.js';
