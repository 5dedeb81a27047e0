export {
  DATA_MASH_API,
  DATA_MASH_PERMISSIONS,
  DataMashApi,
  type DataMashApiOptions,
  DataMashApiRef,
  dataMashApi,
} from './data-mash-api.js';
export {
  type GovernanceEntry,
  JOURNEY_GOVERNANCE_LIMIT,
  type JourneyGovernance,
  type JourneyLineage,
  type JourneyTrace,
  type LineageEdge,
  type LineageNode,
  type TraceSpan,
} from './journey-view-schemas.js';
export {
  type DataMashModuleOptions,
  type DataMashModulesOptions,
  dataMashModule,
  dataMashModules,
} from './modules.js';
