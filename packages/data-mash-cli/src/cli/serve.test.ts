import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

const CSV = 'region,amount\nnorth,10\nsouth,20\neast,30\n';

async function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // `--json` prints one pretty-printed object once the server listens.
      if (stdout.trimEnd().endsWith('}')) resolve(stdout);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

// The journey's status once it is no longer running (polled every 50 ms, for up to 10 s).
async function settledStatus(
  url: string | undefined,
  auth: Record<string, string>,
  journeyId: string,
): Promise<string> {
  let status = 'running';
  for (let attempt = 0; attempt < 200 && status === 'running'; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const read = (await (await fetch(`${url}/journeys/${journeyId}`, { headers: auth })).json()) as {
      journey: { status: string };
    };
    status = read.journey.status;
  }
  return status;
}

describe('data-mash serve (the built bin)', () => {
  let workDir: string;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-serve-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('serves the API with a development sign-in: upload, follow, read; refuses without the token; stops on SIGTERM', async () => {
    const dataDir = join(workDir, 'data');
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--json', '--data-dir', dataDir, '--tenant', 'acme', '--user', 'ada'],
      { cwd: workDir, env: { PATH: process.env.PATH ?? '', HOME: workDir } },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const { url, token, tenant, user } = JSON.parse(await firstLine(child)) as Record<string, string>;
      expect({ tenant, user }).toEqual({ tenant: 'acme', user: 'ada' });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // The key pair is kept in the data directory, readable by its owner only.
      expect((await stat(join(dataDir, 'development-identity.json'))).mode & 0o077).toBe(0);

      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url}/journeys`)).status).toBe(401);
      const upload = await fetch(`${url}/files?name=orders.csv`, {
        method: 'POST',
        // What curl --data-binary sends: a form type that says nothing about the file.
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: CSV,
      });
      expect(upload.status).toBe(202);
      const { journeyId } = (await upload.json()) as { journeyId: string };
      expect(await settledStatus(url, auth, journeyId)).toBe('completed');
      const insights = await fetch(`${url}/journeys/${journeyId}/insights`, { headers: auth });
      expect(JSON.stringify(await insights.json())).toContain('amount');
      const tools = await fetch(`${url}/mcp`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      expect(await tools.text()).toContain('data_mash_ingest_file');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('keeps MCP files within the upload limit (PLATFORM_MAX_FILE_BYTES): a larger download is FILE_TOO_LARGE', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--json', '--data-dir', join(workDir, 'limited'), '--tenant', 'acme'],
      {
        cwd: workDir,
        env: { PATH: process.env.PATH ?? '', HOME: workDir, PLATFORM_MAX_FILE_BYTES: String(CSV.length + 1) },
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const { url, token } = JSON.parse(await firstLine(child)) as Record<string, string>;
      const auth = { authorization: `Bearer ${token}` };
      const upload = await fetch(`${url}/files?name=orders.csv`, { method: 'POST', headers: auth, body: CSV });
      const { journeyId } = (await upload.json()) as { journeyId: string };
      expect(await settledStatus(url, auth, journeyId)).toBe('completed');
      // Over HTTP the CSV comes whole: CRLF line ends make it 4 bytes longer than the upload, and
      // over the limit, so MCP refuses it, where it would carry up to 20 MiB otherwise.
      const csv = await fetch(`${url}/journeys/${journeyId}/exports/csv`, { headers: auth });
      expect(Number(csv.headers.get('content-length'))).toBe(CSV.length + 4);
      const call = await fetch(`${url}/mcp`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'data_mash_download_export', arguments: { journeyId, format: 'csv' } },
        }),
      });
      const text = await call.text();
      expect(text).toContain('FILE_TOO_LARGE');
      expect(text).toContain(`${CSV.length + 1} bytes`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('refuses a bad --port as a usage error', () => {
    const run = runBin(workDir, ['serve', '--port', 'eighty']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--port expects a port number from 0 to 65535, not 'eighty'");
  });
});
