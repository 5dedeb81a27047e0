import { type AnyServiceDefinition, definePlatformModule, type PlatformModule } from '@platform/foundations';
import type { TraceSpanSource } from '@platform/observability';
import type { Embedder } from '@platform/smart-city';
import {
  type ContentStewardOptions,
  contentSteward,
  type DataStewardOptions,
  dataSteward,
  type FileFormatRegistry,
  librarian,
  postOffice,
  smartCityModule,
} from '@platform/smart-city';
import type { ParseContentOptions } from '../content/parse-content.js';
import { HashingEmbedder } from '../embedding/hashing-embedder.js';
import type { TableProfilerOptions } from '../insights/table-profiler.js';
import { contentPillar } from '../phases/content-pillar.js';
import { fileIntake } from '../phases/file-intake.js';
import { insightsPillar } from '../phases/insights-pillar.js';
import { type DataMashJourneyOrchestratorOptions, dataMashJourneyOrchestrator } from '../phases/journey-service.js';
import type { PhaseServiceOptions } from '../phases/phase-service.js';
import { semanticLayer } from '../phases/semantic-layer.js';
import { dataMashSolutionOrchestrator } from '../phases/solution-orchestrator.js';
import { dataMashApi } from './data-mash-api.js';

/** Options of the data mash module. */
export interface DataMashModuleOptions extends PhaseServiceOptions, DataMashJourneyOrchestratorOptions {
  /** Embeds column descriptions and text chunks. Default: the offline {@link HashingEmbedder}. */
  embedder?: Embedder;
  /** Format, chunking and limits of parsing. */
  parse?: ParseContentOptions;
  /** Limits of the profiler. */
  profiler?: TableProfilerOptions;
  /**
   * The file formats (names, magic bytes, MIME types, parsers): `defaultFileFormats.with(...)` for
   * formats of the host's own. Default `defaultFileFormats`. `dataMashModules` gives the same
   * registry to the Content Steward, so that what it accepts is what the Content Pillar parses.
   */
  formats?: FileFormatRegistry;
  /**
   * Where the API's `GET /journeys/{journeyId}/trace` reads a flow's spans: e.g.
   * `installTraceBuffer().buffer` of `@platform/observability/trace-buffer`. Default: none (the
   * trace of every flow answers `recorded: false`).
   */
  traces?: TraceSpanSource;
}

/**
 * The data mash services: the four phase services, the journey orchestrator and the solution
 * orchestrator. They use the Content Steward and the Data Steward at run time: add those roles
 * (and the Librarian, for search) with `smartCityModule`, or use {@link dataMashModules}.
 */
export function dataMashModule(options: DataMashModuleOptions = {}): PlatformModule {
  const realm = options.checkRealmAccess === undefined ? {} : { checkRealmAccess: options.checkRealmAccess };
  const governance = options.governance ? { governance: options.governance } : {};
  const services = [
    fileIntake(realm),
    contentPillar({
      ...realm,
      ...governance,
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.parse || options.formats
        ? { parse: { ...options.parse, ...(options.formats ? { formats: options.formats } : {}) } }
        : {}),
      // The same options as the Insights Pillar's, so tables profiled while parsed are not read back.
      ...(options.profiler ? { profiler: options.profiler } : {}),
    }),
    semanticLayer({ ...realm, ...governance }),
    insightsPillar({ ...realm, ...governance, ...(options.profiler ? { profiler: options.profiler } : {}) }),
    dataMashJourneyOrchestrator({
      ...(options.templates ? { templates: options.templates } : {}),
      ...(options.contracts ? { contracts: options.contracts } : {}),
      ...(options.steps ? { steps: options.steps } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    }),
    dataMashSolutionOrchestrator(),
    dataMashApi({ ...governance, ...(options.traces ? { traces: options.traces } : {}) }),
  ];
  return definePlatformModule({ id: 'data-mash', services: services as AnyServiceDefinition[] });
}

/** Options of {@link dataMashModules}: the module's, and the Smart City roles'. */
export interface DataMashModulesOptions extends DataMashModuleOptions {
  contentSteward?: ContentStewardOptions;
  dataSteward?: DataStewardOptions;
  /**
   * More Smart City roles (the Security Guard, the Traffic Cop, the front door's roles...). A role
   * whose ref is one of the defaults (Content Steward, Data Steward, Librarian) replaces it.
   * Roles may also be added in a `smartCityModule` of the host's own beside these modules.
   */
  roles?: readonly AnyServiceDefinition[];
}

/**
 * The data mash with the Smart City roles it uses (Content Steward, Data Steward, and the
 * Librarian with the same embedder, so search finds what the flow stored): everything a host
 * needs besides its stores.
 *
 * @example
 * ```ts
 * const platform = createPlatform({
 *   modules: dataMashModules({ roles: [securityGuard({ jwksUrl, issuer, audience }), trafficCop()] }),
 * });
 * ```
 *
 * A host's own milestone (an enrichment between two of the flow's, say) is a step given in
 * `steps`, named by a template given in `templates`:
 *
 * ```ts
 * const checkFile = defineFlowStep({ id: 'acme.check_file', input: FileUploaded, output: FileUploaded, run: async (file) => file });
 * dataMashModules({ steps: [checkFile], templates: [loadJourneyTemplate('checked_flow.yaml')] });
 * ```
 */
export function dataMashModules(options: DataMashModulesOptions = {}): PlatformModule[] {
  const embedder = options.embedder ?? new HashingEmbedder();
  const extra = options.roles ?? [];
  const replaced = new Set(extra.map((role) => role.ref.id));
  const defaults = [
    contentSteward({
      ...options.contentSteward,
      ...(options.formats ? { formats: options.formats } : {}),
    }),
    dataSteward(options.dataSteward),
    librarian({ embedder }),
    // Journeys publish their progress through it (the front door streams it to clients).
    postOffice(),
  ] as AnyServiceDefinition[];
  return [
    smartCityModule({ roles: [...defaults.filter((role) => !replaced.has(role.ref.id)), ...extra] }),
    dataMashModule({ ...options, embedder }),
  ];
}
