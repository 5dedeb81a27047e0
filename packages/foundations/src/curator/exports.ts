import { z } from 'zod';
import type { CapabilityDefinition, ServiceRegistration, SoaApiDefinition } from '../kernel/service-description.js';

/** JSON Schema (draft 2020-12) of a zod schema, as Curator exports it. */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Every capability's input and output as JSON Schema, keyed by capability name. */
export function capabilitySchemas(
  services: readonly ServiceRegistration[],
): Record<
  string,
  { service: string; description: string; input: Record<string, unknown>; output: Record<string, unknown> }
> {
  const out: Record<
    string,
    { service: string; description: string; input: Record<string, unknown>; output: Record<string, unknown> }
  > = {};
  for (const service of services) {
    for (const capability of service.capabilities ?? []) {
      out[capability.name] = {
        service: service.id,
        description: capability.description,
        input: toJsonSchema(capability.input),
        output: toJsonSchema(capability.output),
      };
    }
  }
  return out;
}

/** The input fields an API takes from the query string: those not in its path nor its JSON body. */
export function queryFieldsOf(api: SoaApiDefinition, input: Record<string, unknown>): string[] {
  const properties = Object.keys((input.properties as Record<string, unknown> | undefined) ?? {});
  const inPath = new Set([...api.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string));
  const body = bodyOf(api);
  if (body === 'json') return [];
  return properties.filter((name) => !inPath.has(name) && !(body === 'file' && name === 'file'));
}

/** How an API takes its body: `json`, `file`, or `none` (GET and DELETE). */
export function bodyOf(api: SoaApiDefinition): 'json' | 'file' | 'none' {
  if (api.body) return api.body;
  return api.method === 'GET' || api.method === 'DELETE' ? 'none' : 'json';
}

/**
 * An OpenAPI 3.1 document of every SOA API: path parameters; query parameters (the input fields
 * neither in the path nor in the body, for GET and DELETE and file uploads); JSON or binary request
 * bodies; the success response with its status and media type; errors as RFC 9457 problem details.
 */
export function openApiDocument(
  services: readonly ServiceRegistration[],
  info: { title: string; version: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const service of services) {
    const capabilities = new Map((service.capabilities ?? []).map((capability) => [capability.name, capability]));
    for (const api of service.apis ?? []) {
      const capability = capabilities.get(api.capability);
      if (!capability) continue;
      const input = toJsonSchema(capability.input);
      const properties = (input.properties as Record<string, Record<string, unknown>> | undefined) ?? {};
      const required = new Set((input.required as string[] | undefined) ?? []);
      const pathParameters = [...api.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
      const parameters = [
        ...pathParameters.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...queryFieldsOf(api, input).map((name) => ({
          name,
          in: 'query',
          required: required.has(name),
          schema: properties[name] ?? {},
          ...(typeof properties[name]?.description === 'string' ? { description: properties[name].description } : {}),
        })),
      ];
      const body = bodyOf(api);
      const download = api.response?.body === 'file';
      const mediaType = api.response?.mediaType ?? (download ? 'application/octet-stream' : 'application/json');
      const operation: Record<string, unknown> = {
        operationId: capability.name,
        summary: capability.description,
        tags: [service.id, ...(capability.tags ?? [])],
        'x-permission': capability.permission ?? capability.name,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(body === 'json'
          ? { requestBody: { required: true, content: { 'application/json': { schema: input } } } }
          : body === 'file'
            ? {
                requestBody: {
                  required: true,
                  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
                },
              }
            : {}),
        responses: {
          [String(api.response?.status ?? 200)]: {
            description: download ? 'The file, as an attachment' : 'Success',
            ...(download ? { headers: DOWNLOAD_HEADERS } : {}),
            content: {
              [mediaType]: {
                schema: download
                  ? { type: 'string', format: 'binary' }
                  : mediaType === 'application/json'
                    ? toJsonSchema(capability.output)
                    : { type: 'string' },
              },
            },
          },
          default: {
            description: 'A platform error (RFC 9457 problem details with the stable code and the trace id)',
            content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
          },
        },
      };
      paths[api.path] = { ...(paths[api.path] ?? {}), [api.method.toLowerCase()]: operation };
    }
  }
  return { openapi: '3.1.0', info, paths };
}

const DOWNLOAD_HEADERS = {
  'Content-Disposition': {
    description: 'attachment, with the file name (`filename*`, UTF-8, and an ASCII `filename`)',
    schema: { type: 'string' },
  },
};

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', description: 'A URI naming the problem type' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'The stable platform error code, e.g. NOT_FOUND' },
    traceId: { type: 'string' },
    details: { type: 'object' },
  },
};

/** The platform's MCP tools in the shape of an MCP `tools/list` result. */
export function mcpToolList(services: readonly ServiceRegistration[]): {
  tools: Array<{ name: string; description: string; inputSchema: Record<string, unknown> }>;
} {
  const tools = [];
  for (const service of services) {
    const capabilities = new Map<string, CapabilityDefinition>(
      (service.capabilities ?? []).map((capability) => [capability.name, capability]),
    );
    for (const tool of service.mcpTools ?? []) {
      const capability = capabilities.get(tool.capability);
      if (!capability) continue;
      const { $schema: _dialect, ...inputSchema } = toJsonSchema(capability.input);
      tools.push({ name: tool.name, description: tool.description, inputSchema });
    }
  }
  return { tools: tools.sort((a, b) => a.name.localeCompare(b.name)) };
}
