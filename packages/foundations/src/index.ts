/**
 * @packageDocumentation
 * `@platform/foundations` will hold the kernel, configuration, Public Works and Curator. It builds and type-checks as part of the workspace but
 * exports nothing yet, and stays private (unpublished) until it has content.
 */
export {};
