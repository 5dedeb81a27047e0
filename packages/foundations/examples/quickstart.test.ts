import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runQuickstart } from './quickstart.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('README quick start', () => {
  it('is the code the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('./quickstart.ts', import.meta.url), 'utf8');
    expect(readme).toContain(source.trim());
  });

  it('starts two services in order, uses them, and stops', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await runQuickstart()).toMatch(/^Hello Ada, it is \d{4}-\d\d-\d\dT/);
    expect(String(log.mock.calls[0]?.[0])).toMatch(
      /^platform started in \d+ ms \(2 services\)\n {2}ok {6}foundation\.clock [\d.]+ ms\n {2}ok {6}realm\.greeter [\d.]+ ms$/,
    );
  });
});
