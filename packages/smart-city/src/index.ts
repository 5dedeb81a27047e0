/**
 * @packageDocumentation
 * `@platform/smart-city` will hold the role base classes, the City Manager gateway and the roles. It builds and type-checks as part of the workspace but
 * exports nothing yet, and stays private (unpublished) until it has content.
 */
export {};
