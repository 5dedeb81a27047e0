import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `data-mash` bin, as users run it. */
export const BIN = fileURLToPath(new URL('../../packages/data-mash-cli/dist/cli.js', import.meta.url));

/** A `data-mash` process of the suite's, its output kept in a log file. */
export interface FleetProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** Runs `data-mash <args>` in a directory of its own under `root` (its data dir), with `env`. */
export function runCli(root: string, name: string, args: string[], env: Record<string, string>): FleetProcess {
  const cwd = join(root, 'processes', name);
  mkdirSync(cwd, { recursive: true });
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, PLATFORM_DATA_DIR: join(cwd, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const log = createWriteStream(join(cwd, 'log'));
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    // Only the end is kept in memory: a submitter's JSON, a worker's last lines.
    text = (text + chunk.toString()).slice(-2_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      log.end();
      resolve(code);
    }),
  );
  return { child, exited, output: () => text };
}

/** Workers of the queue: started, killed with SIGKILL, replaced. */
export class Workers {
  readonly #root: string;
  readonly #env: Record<string, string>;
  readonly #concurrency: number;
  readonly #running: FleetProcess[] = [];
  started = 0;
  killed = 0;

  constructor(root: string, env: Record<string, string>, concurrency: number) {
    this.#root = root;
    this.#env = env;
    this.#concurrency = concurrency;
  }

  start(): void {
    this.started += 1;
    const worker = runCli(
      this.#root,
      `worker-${this.started}`,
      ['work', '--concurrency', String(this.#concurrency), '--drain-timeout', '5'],
      this.#env,
    );
    this.#running.push(worker);
    void worker.exited.then(async (code) => {
      const index = this.#running.indexOf(worker);
      if (index >= 0) this.#running.splice(index, 1);
      // As a process supervisor does: a worker that exited on its own (it could not start while
      // Postgres was down, say) is started again a second later.
      if (this.#stopping || this.#killing.has(worker)) return;
      this.exitedOnTheirOwn += 1;
      this.lastExit = `exit ${code}: ${worker.output().trim().split('\n').at(-1)?.slice(0, 300) ?? ''}`;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (!this.#stopping) this.start();
    });
  }

  readonly #killing = new Set<FleetProcess>();
  #stopping = false;
  /** Workers that exited without being killed or stopped, and what the last one said. */
  exitedOnTheirOwn = 0;
  lastExit = '';

  get count(): number {
    return this.#running.length;
  }

  /** Kills one worker, chosen by `pick` in [0, 1), with SIGKILL, and starts another in its place. */
  async killOneAndReplace(pick: number): Promise<void> {
    const victim = this.#running[Math.floor(pick * this.#running.length)];
    if (!victim) return;
    this.#killing.add(victim);
    victim.child.kill('SIGKILL');
    await victim.exited;
    this.killed += 1;
    this.start();
  }

  /** Stops every worker with SIGTERM (they drain), then SIGKILL after `graceMs`. */
  async stopAll(graceMs: number): Promise<void> {
    this.#stopping = true;
    const running = [...this.#running];
    for (const worker of running) worker.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const worker of running) worker.child.kill('SIGKILL');
    }, graceMs);
    await Promise.all(running.map((worker) => worker.exited));
    clearTimeout(timer);
  }
}
