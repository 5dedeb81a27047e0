import { definePackageBuild } from '../../tooling/tsup-preset';

export default definePackageBuild({
  index: 'src/index.ts',
  // Errors alone, for code that must load fast (worker threads, CLIs) and needs nothing else.
  errors: 'src/errors/index.ts',
  postgres: 'src/public-works/postgres/index.ts',
  pglite: 'src/public-works/pglite/index.ts',
  gcs: 'src/public-works/gcs/index.ts',
  arangodb: 'src/public-works/arangodb/index.ts',
  supabase: 'src/public-works/supabase/index.ts',
  redis: 'src/public-works/redis/index.ts',
  nats: 'src/public-works/nats/index.ts',
  testing: 'src/testing/index.ts',
});
