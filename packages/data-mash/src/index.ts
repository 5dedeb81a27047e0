/**
 * @packageDocumentation
 * `@platform/data-mash` will hold the data mash flow, its orchestrators and the data-mash CLI. It builds and type-checks as part of the workspace but
 * exports nothing yet, and stays private (unpublished) until it has content.
 */
export {};
