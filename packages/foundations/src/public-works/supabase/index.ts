/**
 * @packageDocumentation
 * The Supabase REST adapter of `@platform/foundations`, on `@supabase/supabase-js` (an optional
 * peer dependency: install it to use this entry). For Supabase's database over a Postgres
 * connection, use `@platform/foundations/postgres` instead.
 */

export { type SupabaseAuthSettings, supabaseAuth } from './supabase-auth.js';
export { SupabaseMetadataStore, type SupabaseMetadataStoreOptions } from './supabase-metadata-store.js';
export { keysetFilter, quoteFilterValue } from './supabase-requests.js';
