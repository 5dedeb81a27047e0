import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

// Servers of the suite's own, so that it may stop and restart them: never the machine's shared
// Postgres or Redis. Both listen on 127.0.0.1 only, on free ports.

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort().at(-1) : undefined;
  if (!version) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return join(root, version, 'bin');
}

// initdb and postgres refuse to run as root: as root, run them as the postgres user.
function asOwner(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** A Postgres cluster in a directory of the suite's, restartable as a crash (`immediate`). */
export class OwnPostgres {
  readonly url: string;
  readonly #bin = postgresBin();
  readonly #dir: string;
  readonly #port: number;
  restarts = 0;

  private constructor(dir: string, port: number) {
    this.#dir = dir;
    this.#port = port;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  static async start(parent: string): Promise<OwnPostgres> {
    const dir = join(parent, 'postgres');
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() === 0) {
      // The postgres user must reach the directory through the (root-owned) temporary folder.
      chmodSync(parent, 0o755);
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(dir, uid, gid);
    }
    const [command, args] = asOwner(join(postgresBin(), 'initdb'), [
      '-D',
      join(dir, 'data'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
    execFileSync(command, args, { stdio: 'ignore' });
    const server = new OwnPostgres(dir, await freePort());
    server.#control('start');
    return server;
  }

  #control(action: 'start' | 'stop', mode = 'fast'): void {
    const options = `-p ${this.#port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on`;
    const args =
      action === 'start'
        ? ['-D', join(this.#dir, 'data'), '-o', options, '-l', join(this.#dir, 'log'), '-w', '-t', '120', 'start']
        : ['-D', join(this.#dir, 'data'), '-m', mode, '-w', '-t', '120', 'stop'];
    const [command, rest] = asOwner(join(this.#bin, 'pg_ctl'), args);
    execFileSync(command, rest, { stdio: 'ignore' });
  }

  /** Stops the server as a crash would (`-m immediate`: no checkpoint), waits `downMs`, starts it again (recovery). */
  async crashAndRestart(downMs: number): Promise<void> {
    this.#control('stop', 'immediate');
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.#control('start');
    this.restarts += 1;
  }

  stop(): void {
    try {
      this.#control('stop', 'immediate');
    } catch {
      // Already stopped.
    }
  }
}

/** A Redis of the suite's, with its append-only file fsynced at every write, restartable by SIGKILL. */
export class OwnRedis {
  readonly url: string;
  readonly #dir: string;
  readonly #port: number;
  #process: ChildProcess | undefined;
  restarts = 0;

  private constructor(dir: string, port: number) {
    this.#dir = dir;
    this.#port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(parent: string): Promise<OwnRedis> {
    const dir = join(parent, 'redis');
    mkdirSync(dir, { recursive: true });
    const server = new OwnRedis(dir, await freePort());
    await server.#spawn();
    return server;
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.#port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.#dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    this.#process = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        execFileSync('redis-cli', ['-p', String(this.#port), 'ping'], { stdio: 'pipe' });
        return;
      } catch {
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Kills the server (SIGKILL), waits `downMs`, starts it again on its append-only file. */
  async crashAndRestart(downMs: number): Promise<void> {
    const child = this.#process;
    if (child) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.#spawn();
    this.restarts += 1;
  }

  stop(): void {
    this.#process?.kill('SIGKILL');
  }
}
