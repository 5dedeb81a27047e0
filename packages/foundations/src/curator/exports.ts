import { z } from 'zod';
import type { CapabilityDefinition, ServiceRegistration } from './registration.js';

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

/**
 * An OpenAPI 3.1 document of every SOA API: request bodies (or query parameters for GET and
 * DELETE) from the capability's input schema, 200 responses from its output schema.
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
      const pathParameters = [...api.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
      const operation: Record<string, unknown> = {
        operationId: capability.name,
        summary: capability.description,
        tags: [service.id, ...(capability.tags ?? [])],
        ...(pathParameters.length > 0
          ? {
              parameters: pathParameters.map((name) => ({
                name,
                in: 'path',
                required: true,
                schema: { type: 'string' },
              })),
            }
          : {}),
        ...(api.method === 'GET' || api.method === 'DELETE'
          ? {}
          : { requestBody: { required: true, content: { 'application/json': { schema: input } } } }),
        responses: {
          '200': {
            description: 'Success',
            content: { 'application/json': { schema: toJsonSchema(capability.output) } },
          },
          default: {
            description: 'A platform error',
            content: { 'application/json': { schema: PLATFORM_ERROR_SCHEMA } },
          },
        },
      };
      paths[api.path] = { ...(paths[api.path] ?? {}), [api.method.toLowerCase()]: operation };
    }
  }
  return { openapi: '3.1.0', info, paths };
}

const PLATFORM_ERROR_SCHEMA = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { const: false },
    traceId: { type: 'string' },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    },
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
