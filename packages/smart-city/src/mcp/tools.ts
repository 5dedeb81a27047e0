import {
  type AgentDefinition,
  bodyOf,
  type CapabilityDefinition,
  type Curator,
  ErrorCode,
  PlatformError,
  type SoaApiDefinition,
  toJsonSchema,
} from '@platform/foundations';

/** What MCP tool names may hold (the strictest clients' rule): letters, digits, `_`, `-`, up to 64. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The default size limit of a file a tool uploads: 20 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/** One MCP tool, as the server serves it: what MCP clients see, and the API that runs it. */
export interface PlatformTool {
  /** The tool name: the Curator MCP tool's, or the capability's with `.` as `_`. */
  name: string;
  description: string;
  inputSchema: Record<string, unknown> & { type: 'object' };
  /** JSON Schema of `structuredContent`, for JSON APIs whose output is an object. */
  outputSchema?: Record<string, unknown> & { type: 'object' };
  annotations: { title: string; readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean };
  capability: CapabilityDefinition;
  api: SoaApiDefinition;
  /** `file` for uploads: the tool takes `content` / `contentBase64` instead of a body stream. */
  body: 'json' | 'file' | 'none';
  /** Input fields the capability declares (so the upload's own fields are not forwarded blindly). */
  fields: ReadonlySet<string>;
}

/** An agent of a service, as an MCP prompt: its capabilities named by their tools. */
export interface PlatformAgent {
  name: string;
  description: string;
  service: string;
  tools: Array<{ name: string; description: string }>;
  /** Capabilities of the agent no tool serves (no SOA API): named, not callable. */
  unavailable: string[];
}

/** The tools and agents of the running services. */
export interface PlatformCatalog {
  tools: PlatformTool[];
  byName: ReadonlyMap<string, PlatformTool>;
  agents: PlatformAgent[];
}

/** `data_mash.ingest_file` -> `data_mash_ingest_file`; anything outside the allowed set -> `_`. */
export function toolNameOf(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
}

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

function uploadSchema(input: Record<string, unknown>, maxFileBytes: number): Record<string, unknown> {
  const { file: _stream, ...properties } = (input.properties as Record<string, unknown> | undefined) ?? {};
  const required = ((input.required as string[] | undefined) ?? []).filter((name) => name !== 'file');
  return {
    ...input,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 255, description: "The file's name, with its extension" },
      ...properties,
      content: { type: 'string', description: "The file's content as text (UTF-8); or give contentBase64" },
      contentBase64: {
        type: 'string',
        contentEncoding: 'base64',
        description: `The file's bytes, base64-encoded (binary files); at most ${maxFileBytes} bytes decoded`,
      },
      type: { type: 'string', maxLength: 255, description: 'The declared MIME type, checked against the bytes' },
    },
    required: [...new Set(['name', ...required])],
  };
}

function toolOf(
  capability: CapabilityDefinition,
  api: SoaApiDefinition,
  named: { name: string; description: string },
  maxFileBytes: number,
): PlatformTool {
  const input = withoutDialect(toJsonSchema(capability.input));
  const body = bodyOf(api);
  const json =
    api.response?.body !== 'file' && (api.response?.mediaType ?? 'application/json').startsWith('application/json');
  const output = json ? withoutDialect(toJsonSchema(capability.output)) : undefined;
  const schema = body === 'file' ? uploadSchema(input, maxFileBytes) : input;
  return {
    name: named.name,
    description: named.description,
    inputSchema: { ...schema, type: 'object' },
    ...(output?.type === 'object' ? { outputSchema: output as PlatformTool['outputSchema'] & object } : {}),
    annotations: {
      title: capability.name,
      readOnlyHint: api.method === 'GET',
      destructiveHint: api.method === 'DELETE',
      idempotentHint: api.method === 'GET' || api.method === 'PUT' || api.method === 'DELETE',
    },
    capability,
    api,
    body,
    fields: new Set(Object.keys((input.properties as Record<string, unknown> | undefined) ?? {})),
  };
}

/**
 * The MCP tools and agents of the services running on a platform, from Curator: every capability
 * with an SOA API (named by its Curator MCP tool when it has one, else by its own name), and every
 * agent. A capability without an API is not reachable through the front door, so it is no tool.
 * Names are unique: the first service (by id) keeps a name two would share.
 */
export function platformCatalog(curator: Curator, options: { maxFileBytes?: number } = {}): PlatformCatalog {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const services = curator.find({ status: 'running' });
  const byName = new Map<string, PlatformTool>();
  const byCapability = new Map<string, PlatformTool[]>();
  const add = (tool: PlatformTool) => {
    if (!TOOL_NAME.test(tool.name) || byName.has(tool.name)) return;
    byName.set(tool.name, tool);
    byCapability.set(tool.capability.name, [...(byCapability.get(tool.capability.name) ?? []), tool]);
  };
  for (const service of services) {
    const capabilities = new Map((service.capabilities ?? []).map((capability) => [capability.name, capability]));
    const apis = new Map<string, SoaApiDefinition>();
    for (const api of service.apis ?? []) if (!apis.has(api.capability)) apis.set(api.capability, api);
    const declared = new Set<string>();
    for (const tool of service.mcpTools ?? []) {
      const capability = capabilities.get(tool.capability);
      const api = apis.get(tool.capability);
      if (!capability || !api) continue;
      declared.add(capability.name);
      add(toolOf(capability, api, { name: toolNameOf(tool.name), description: tool.description }, maxFileBytes));
    }
    for (const [name, api] of apis) {
      const capability = capabilities.get(name);
      if (!capability || declared.has(name)) continue;
      add(toolOf(capability, api, { name: toolNameOf(name), description: capability.description }, maxFileBytes));
    }
  }
  const agents = services.flatMap((service) =>
    (service.agents ?? []).map((agent: AgentDefinition) => {
      const tools = agent.capabilities.flatMap((name) => byCapability.get(name) ?? []);
      return {
        name: toolNameOf(agent.name),
        description: agent.description,
        service: service.id,
        tools: tools.map((tool) => ({ name: tool.name, description: tool.description })),
        unavailable: agent.capabilities.filter((name) => !byCapability.has(name)),
      };
    }),
  );
  const tools = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { tools, byName, agents };
}

/**
 * A cache of {@link platformCatalog}, rebuilt when the running services change (registration,
 * status), so listing and calling tools do not convert every schema each time.
 */
export function catalogCache(curator: Curator, options: { maxFileBytes?: number } = {}): () => PlatformCatalog {
  let key = '';
  let catalog: PlatformCatalog | undefined;
  return () => {
    const now = curator
      .find({ status: 'running' })
      .map((service) => `${service.id}@${service.registeredAt.getTime()}`)
      .join('|');
    if (!catalog || now !== key) {
      catalog = platformCatalog(curator, options);
      key = now;
    }
    return catalog;
  };
}

function invalid(message: string, field: string): PlatformError {
  return new PlatformError(ErrorCode.VALIDATION_FAILED, message, { details: { field } });
}

function queryValue(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(queryValue);
  return [typeof value === 'object' ? JSON.stringify(value) : String(value)];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function uploadedBytes(args: Record<string, unknown>, maxFileBytes: number): Uint8Array {
  const { content, contentBase64 } = args;
  if ((content === undefined) === (contentBase64 === undefined)) {
    throw invalid('give the file as `content` (text) or `contentBase64` (bytes), one of the two', 'content');
  }
  let bytes: Buffer;
  if (typeof content === 'string') {
    if (Buffer.byteLength(content, 'utf8') > maxFileBytes) throw tooLarge(maxFileBytes);
    bytes = Buffer.from(content, 'utf8');
  } else if (typeof contentBase64 === 'string') {
    const text = contentBase64.replace(/\s+/g, '');
    if (text.length % 4 === 1 || !BASE64.test(text))
      throw invalid('`contentBase64` is not valid base64', 'contentBase64');
    if (Math.floor((text.length * 3) / 4) - (text.match(/=+$/)?.[0].length ?? 0) > maxFileBytes) {
      throw tooLarge(maxFileBytes);
    }
    bytes = Buffer.from(text, 'base64');
  } else {
    throw invalid(
      '`content` and `contentBase64` are strings',
      typeof content === 'string' ? 'contentBase64' : 'content',
    );
  }
  return bytes;
}

function tooLarge(maxFileBytes: number): PlatformError {
  return new PlatformError(ErrorCode.FILE_TOO_LARGE, `the file is larger than ${maxFileBytes} bytes`, {
    details: { maxBytes: maxFileBytes },
  });
}

async function* chunksOf(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/**
 * The request the Communication Director routes for a tool call: the API's method and path
 * template with the path parameters filled in (percent-encoded); for GET, DELETE and uploads, the
 * other arguments as the query string; for JSON APIs, the other arguments as the body. An upload's
 * `content` / `contentBase64` become `payload.file = { name, declaredType, data }` (`data` an
 * async iterable of the bytes, as the HTTP front door streams a request body).
 *
 * @throws {PlatformError} `VALIDATION_FAILED` (a path parameter missing; neither or both of
 * `content` and `contentBase64`; bad base64), `FILE_TOO_LARGE` (over `maxFileBytes`).
 */
export function routeRequestOf(
  tool: PlatformTool,
  args: Record<string, unknown>,
  options: { maxFileBytes?: number } = {},
): { endpoint: string; payload?: unknown } {
  const inPath = new Set<string>();
  const path = tool.api.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = args[name];
    if (value === undefined || value === null || value === '') throw invalid(`'${name}' is required`, name);
    inPath.add(name);
    return encodeURIComponent(String(value));
  });
  const rest = Object.entries(args).filter(([name]) => !inPath.has(name));
  if (tool.body === 'json') {
    return { endpoint: `${tool.api.method} ${path}`, payload: Object.fromEntries(rest) };
  }
  const query = new URLSearchParams();
  const upload = tool.body === 'file';
  for (const [name, value] of rest) {
    if (upload && !tool.fields.has(name)) continue;
    if (upload && name === 'file') continue;
    for (const item of queryValue(value)) query.append(name, item);
  }
  const search = query.size > 0 ? `?${query}` : '';
  if (!upload) return { endpoint: `${tool.api.method} ${path}${search}` };
  if (typeof args.name !== 'string' || args.name.length === 0)
    throw invalid("'name' (the file's name) is required", 'name');
  const bytes = uploadedBytes(args, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  const declaredType = typeof args.type === 'string' && args.type.length > 0 ? args.type : undefined;
  return {
    endpoint: `${tool.api.method} ${path}${search}`,
    payload: { file: { name: args.name, ...(declaredType ? { declaredType } : {}), data: chunksOf(bytes) } },
  };
}
