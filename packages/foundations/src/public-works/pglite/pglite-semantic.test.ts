import { vector } from '@electric-sql/pglite-pgvector';
import { describeSemanticStoreConformance } from '../../testing/index.js';
import { SqlSemanticStore } from '../sql/sql-semantic-store.js';
import { PGliteDriver } from './pglite-driver.js';

describeSemanticStoreConformance('pglite + pgvector (in memory)', async () => {
  const store = new SqlSemanticStore({ driver: await PGliteDriver.open({ extensions: { vector } }) });
  await store.initialize();
  return { store, cleanup: () => store.shutdown() };
});
