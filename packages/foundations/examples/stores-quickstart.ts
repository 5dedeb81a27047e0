import { createHash } from 'node:crypto';
import { BlobStoreRef, createPlatform, MetadataStoreRef } from '@platform/foundations';

export async function storeAFile(bytes: Uint8Array) {
  const platform = createPlatform({ include: [BlobStoreRef, MetadataStoreRef] }); // files + SQLite under ./.platform
  await platform.start();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await platform.get(BlobStoreRef).put('acme', `uploads/${sha256}`, bytes);
  const file = await platform
    .get(MetadataStoreRef)
    .createFile({ tenantId: 'acme', name: 'sales.csv', sizeBytes: bytes.length, sha256 });
  await platform.stop();
  return file;
}
