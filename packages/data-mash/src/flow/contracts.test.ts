import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DATA_MASH_CONTRACTS, FileParsed, FileUploaded, SemanticProcessed, SemanticProcessedV1 } from './contracts.js';
import { renderHandoffContracts } from './contracts-doc.js';
import { defineHandoffContract } from './handoff-contract.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const uploaded = {
  fileId: 'file-1',
  validationStatus: 'valid',
  storageLocation: 'uploads/file-1',
  sha256: 'a'.repeat(64),
  fileName: 'orders.csv',
  sizeBytes: 1024,
  traceId,
};

describe('handoff contracts', () => {
  it('pass a valid value through, parsed', () => {
    expect(FileUploaded.check(uploaded, 'producer')).toEqual(uploaded);
    expect(FileUploaded.id).toBe('file_uploaded@1');
  });

  it('refuse a violation naming the contract, the side and the field', () => {
    const broken = { ...uploaded, sizeBytes: -1, traceId: 'nope' };
    try {
      FileUploaded.check(broken, 'consumer');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'CONTRACT_VIOLATION',
        details: { contract: 'file_uploaded@1', side: 'consumer' },
      });
      expect((error as Error).message).toMatch(
        /^handoff 'file_uploaded@1' refused by the consumer: sizeBytes: .* \(and 1 more\)$/,
      );
      expect(
        (error as { details: { issues: Array<{ path: string }> } }).details.issues.map((issue) => issue.path),
      ).toEqual(['sizeBytes', 'traceId']);
    }
  });

  it('refuse unknown fields, so a changed producer must bump the version', () => {
    expect(() => FileUploaded.check({ ...uploaded, extra: 1 }, 'producer')).toThrow(
      /file_uploaded@1.*extra|Unrecognized/,
    );
  });

  it('name nested fields by their path', () => {
    const parsed = {
      fileId: 'f',
      parseResult: { format: 'csv', tables: [{ name: 't', columns: ['a'], rowCount: 1, rowsKey: '' }], warnings: 0 },
      semanticResult: {
        resultKey: 'parsed/f/semantic.json',
        contentId: 'f',
        columns: [],
        embeddings: 0,
        graph: { nodes: 0, edges: 0 },
        embedder: { model: 'm', dimensions: 3 },
      },
      traceId,
    };
    expect(() => FileParsed.check(parsed, 'producer')).toThrow(/parseResult\.tables\.0\.rowsKey/);
  });

  it('read an earlier version a stored journey holds, upgraded, on the consumer side only', () => {
    const v1 = { contentId: 'file-1', storageStatus: 'stored', traceId };
    expect(SemanticProcessedV1.check(v1, 'consumer')).toEqual(v1);
    expect(SemanticProcessed.id).toBe('semantic_processed@2');
    expect(SemanticProcessed.reads).toEqual([SemanticProcessedV1]);
    expect(SemanticProcessed.check(v1, 'consumer')).toEqual({
      ...v1,
      fileId: 'file-1',
      parseKey: 'parsed/file-1/parse.json',
    });
    expect(() => SemanticProcessed.check(v1, 'producer')).toThrow(/semantic_processed@2.*producer: fileId/);
    expect(() =>
      defineHandoffContract('semantic_processed', 1, z.object({}), {
        upgrades: [{ from: SemanticProcessedV1, upgrade: () => ({}) }],
      }),
    ).toThrow(/earlier versions/);
  });

  it('check their own declaration', () => {
    expect(() => defineHandoffContract('Bad-Name', 1, z.object({}))).toThrow(/snake_case/);
    expect(() => defineHandoffContract('ok', 0, z.object({}))).toThrow(/version/);
  });

  it('are rendered in docs/handoff-contracts.md, which is current', () => {
    const rendered = renderHandoffContracts(DATA_MASH_CONTRACTS, 'Data mash handoff contracts');
    const page = readFileSync(new URL('../../../../docs/handoff-contracts.md', import.meta.url), 'utf8');
    expect(page, 'docs/handoff-contracts.md is stale: run `pnpm docs:contracts`').toBe(rendered);
    for (const contract of DATA_MASH_CONTRACTS)
      expect(contract.jsonSchema()).toMatchObject({ type: 'object', additionalProperties: false });
  });
});
