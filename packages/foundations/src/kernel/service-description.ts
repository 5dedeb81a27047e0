import type { z } from 'zod';
import type { ServiceTier } from './service-ref.js';

/**
 * Something a service can do, with zod schemas of what it takes and returns. The schemas are the
 * contract: exported as JSON Schema, in the OpenAPI document and as MCP tool input schemas.
 */
export interface CapabilityDefinition {
  /** Dotted lower-case name, unique on the platform, e.g. `content.upload_file`. */
  name: string;
  description: string;
  input: z.ZodType;
  output: z.ZodType;
  tags?: string[];
  /**
   * The permission a client needs to call it through the front door (HTTP, MCP, the
   * Communication Director), e.g. `files:write`. Default: the capability's own name, so a
   * capability nobody declared a permission for is closed to every client without that exact
   * grant (or `*`).
   */
  permission?: string;
}

/** An HTTP-style (SOA) API of a service, bound to one capability. */
export interface SoaApiDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path template, e.g. `/files/{fileId}`. */
  path: string;
  /** The capability this API runs; its schemas describe the request and response. */
  capability: string;
  /**
   * What the request body is: `json` (default for POST, PUT and PATCH: the capability's input) or
   * `file` (the raw bytes of one file, streamed: the front door hands the handler
   * `input.file = { name, declaredType?, data }` with `data` an async iterable of the body's
   * bytes, read once; other input fields come from the path and query). GET and DELETE take no body: their input comes from the path and query.
   */
  body?: 'json' | 'file';
  /**
   * The success response: its status (default 200) and media type (default `application/json`).
   * With another media type, the capability's output is the body as a string. With
   * `body: 'file'`, the output is a {@link FileDownload} the front door streams as an attachment
   * (its own `mediaType`, `Content-Length` when it has a `size`, `Content-Disposition` with its
   * `name`); `mediaType` is then what the OpenAPI document announces (default
   * `application/octet-stream`).
   */
  response?: { status?: number; mediaType?: string; body?: 'file' };
  /**
   * The method of the service instance that runs it, called as `method(input, userContext)`.
   * Default: the capability name's last segment in camelCase (`content.upload_file` → `uploadFile`).
   */
  handler?: string;
}

/** An agent a service offers: a named bundle of capabilities with instructions. */
export interface AgentDefinition {
  name: string;
  description: string;
  capabilities: string[];
}

/** A tool exposed to MCP clients, backed by a capability (its input schema is the tool's). */
export interface McpToolDefinition {
  name: string;
  description: string;
  capability: string;
}

/** What a service tells Curator about itself, beyond its id and tier (all optional). */
export interface ServiceDescription {
  description?: string;
  /** The realm the service belongs to (realm-tier services); used by the realm access table. */
  realm?: string;
  tags?: string[];
  capabilities?: CapabilityDefinition[];
  apis?: SoaApiDefinition[];
  agents?: AgentDefinition[];
  mcpTools?: McpToolDefinition[];
}

/** A service as Curator records it. */
export interface ServiceRegistration extends ServiceDescription {
  id: string;
  tier: ServiceTier;
  /** The module that defined the service. */
  module?: string;
  /** Ids of the services it declared as dependencies (filled in by the kernel). */
  dependsOn?: string[];
  /** Lifecycle hooks the running instance has (filled in by the kernel). */
  lifecycle?: { initialize: boolean; shutdown: boolean; health: boolean };
  status: 'running' | 'stopped';
  registeredAt: Date;
}

/** What Curator tells its subscribers. */
export type CuratorEvent =
  | { type: 'curator.service.registered'; service: ServiceRegistration }
  | { type: 'curator.service.unregistered'; serviceId: string }
  | { type: 'curator.service.status_changed'; serviceId: string; status: ServiceRegistration['status'] };

/**
 * A file a capability answers for download (its API's `response: { body: 'file' }`): the front
 * door streams `data` to the client as an attachment named `name`, never buffering it.
 */
export interface FileDownload {
  /** The name to save it as, e.g. `sales.parquet` (sent in `Content-Disposition`). */
  name: string;
  /** Its media type, e.g. `application/vnd.apache.parquet`. */
  mediaType: string;
  /** Its length in bytes, when known (sent as `Content-Length`). */
  size?: number;
  /** Its bytes, read once; a consumer that stops early ends the iteration (`return()`). */
  data: AsyncIterable<Uint8Array>;
}
