import { randomUUID } from 'node:crypto';

/** The server the Postgres tests use: `PLATFORM_TEST_POSTGRES_URL`, else the local one. */
export const TEST_POSTGRES_URL =
  process.env.PLATFORM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Creates a throw-away database on the test server ({@link TEST_POSTGRES_URL}) and answers its
 * URL and a function dropping it. Fails loudly (never skips) when the server is not reachable.
 * Needs `pg` (an optional peer dependency).
 */
export async function createPostgresTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `platform_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `the Postgres integration tests need a server at ${TEST_POSTGRES_URL} (set PLATFORM_TEST_POSTGRES_URL); ` +
        `connecting failed: ${(error as Error).message}`,
    );
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleaner = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await cleaner.connect();
      await cleaner.query(`drop database if exists ${name} with (force)`);
      await cleaner.end();
    },
  };
}
