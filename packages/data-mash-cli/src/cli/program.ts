import { Command, CommanderError, Option } from 'commander';
import { EXIT, exitCodeFor } from './exit.js';
import type { GlobalOptions } from './session.js';

const VERSION = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0';
declare const __PACKAGE_VERSION__: string | undefined;

/**
 * Runs the `data-mash` command line and answers its exit code (0 ok, 1 a flow or lookup failed,
 * 2 usage, 3 the platform could not start). Errors are one line on stderr; `--verbose` adds the
 * stack and the telemetry events.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  let verbose = argv.includes('--verbose');
  const usageText: string[] = [];
  const program = new Command('data-mash')
    .description('Take files through the data mash flow: validate, parse, store semantics, profile.')
    .version(VERSION)
    .addOption(new Option('--tenant <id>', 'tenant to act in').env('PLATFORM_TENANT').default('local'))
    .option('--user <id>', 'user to act as (default: the OS user)')
    .addOption(new Option('--data-dir <dir>', 'where the embedded stores keep their files').env('PLATFORM_DATA_DIR'))
    .option('--json', 'machine-readable output on stdout')
    .option('--verbose', 'stacks on errors, telemetry events on stderr')
    .showHelpAfterError()
    .exitOverride()
    // Commander's messages quote the command line; they go out through `printable`, which lives
    // with the platform code, so they are held here, with the help that follows a usage error, and
    // written in their order once that is loaded (usage errors only: help and version do not pay
    // for it).
    .configureOutput({ outputError: (text) => usageText.push(text), writeErr: (text) => usageText.push(text) });

  const run =
    <A extends unknown[]>(command: (...args: [...A, GlobalOptions]) => Promise<number>) =>
    async (...args: unknown[]) => {
      const self = args.at(-1) as Command;
      const options = self.optsWithGlobals() as GlobalOptions;
      verbose = options.verbose ?? verbose;
      code = await command(...(args.slice(0, -2) as A), options);
    };
  // A command's module (and the platform packages it imports) is loaded when the command runs:
  // importing them all costs most of a command's time, and `--help` needs none of them.
  const lazy = <M, K extends keyof M>(load: () => Promise<M>, name: K) =>
    run(async (...args: unknown[]) => ((await load())[name] as (...given: unknown[]) => Promise<number>)(...args));

  program
    .command('ingest')
    .description('run the flow on files (paths or globs), with progress and a summary')
    .argument('<files...>', 'files or globs, e.g. data/*.csv')
    .option('--queue <url>', 'submit to the workers of the queue in this Postgres (postgres://...)')
    .option('--no-wait', 'with --queue: print the jobs and return without waiting for them')
    .option('--max-queued <n>', 'with --queue: before each file, wait while the queue holds n waiting jobs')
    // Not bound to PLATFORM_MAX_FILE_BYTES here: the configuration reads it, and names it when it is wrong.
    .option(
      '--max-bytes <size>',
      'largest file accepted, e.g. 2GB or 500MiB (default 100 MiB, or PLATFORM_MAX_FILE_BYTES)',
    )
    .action(lazy(() => import('./ingest.js'), 'ingest'));
  program
    .command('work')
    .description('run flows submitted with ingest --queue, until Ctrl-C (SIGINT) or SIGTERM')
    .addOption(new Option('--queue <url>', 'the Postgres holding the queue').env('PLATFORM_QUEUE_URL'))
    .option('--concurrency <n>', 'flows at once (1-64)', '2')
    .option('--drain-timeout <seconds>', 'on SIGTERM, wait this long for running flows, then release them', '30')
    .option('--health-port <port>', 'serve GET /healthz and /readyz on this port (0: any free port)')
    .option(
      '--health-host <address>',
      'address of the health server (default 127.0.0.1; 0.0.0.0 for probes from outside, as in a container)',
    )
    .action(lazy(() => import('./work.js'), 'work'));
  program
    .command('queue')
    .description('the flow queue: counts (stats), dead letters, or retry dead letters (retry <jobId>... | --all)')
    .argument('[action]', 'stats (default), dead-letters or retry')
    .argument('[jobIds...]', 'with retry: dead-letter job ids')
    .addOption(new Option('--queue <url>', 'the Postgres holding the queue').env('PLATFORM_QUEUE_URL'))
    .option('--all', 'with retry: every dead letter')
    .option('--limit <n>', 'with dead-letters: at most this many (1-10000)', '100')
    .action(lazy(() => import('./queue.js'), 'queueCommand'));
  program
    .command('journeys')
    .description('list the tenant’s flows, newest first')
    .option('--status <status>', 'pending, running, completed or failed')
    .option('--file <text>', 'only flows whose file’s name contains this text, ignoring the case of A-Z')
    .option('--limit <n>', 'at most this many (1-1000)', '50')
    .action(lazy(() => import('./journeys.js'), 'listJourneys'));
  program
    .command('journey')
    .description('one flow’s milestones with timings')
    .argument('<id>')
    .action(lazy(() => import('./journeys.js'), 'showJourney'));
  program
    .command('insights')
    .description('the profile of a completed flow')
    .argument('<id>', 'journey id')
    .action(lazy(() => import('./insights.js'), 'showInsights'));
  program
    .command('search')
    .description('search what the tenant ingested (keywords and meaning)')
    .argument('<query>')
    .option('--mode <mode>', 'hybrid, text or vector', 'hybrid')
    .option('--limit <n>', 'at most this many hits (1-100)', '10')
    .option('--kind <kind>', 'chunk, column_name, column_meaning, column_samples, or * for all', '*')
    .action(lazy(() => import('./search.js'), 'search'));
  program
    .command('report')
    .description('write a self-contained HTML report of a flow')
    .argument('<id>', 'journey id')
    .option('--out <file>', 'where to write it (default data-mash-report-<id>.html)')
    .action(lazy(() => import('./report.js'), 'report'));
  program
    .command('export')
    .description('write the tables of a completed flow as Parquet (typed columns) or CSV (formula-safe)')
    .argument('<id>', 'journey id')
    .addOption(new Option('--format <format>', 'file format').choices(['parquet', 'csv']).default('parquet'))
    .option('--table <name>', 'only this table (default: every table of the file)')
    .option('--out <path>', 'the file to write; a folder when several tables are written (default: ./<table>.<ext>)')
    .option('--force', 'replace files that exist (default: refuse)')
    .action(lazy(() => import('./export.js'), 'exportCommand'));
  program
    .command('migrate')
    .description('apply the SQL migrations of the configured metadata, semantic and key-value stores')
    .option('--supabase', "also apply each store's row-level security (a Supabase project's database)")
    .action(lazy(() => import('./migrate.js'), 'migrate'));
  program
    .command('doctor')
    .description('find what interrupted flows left behind (orphaned blobs, interrupted journeys); --fix removes it')
    .option('--fix', 'remove what is safe to remove (default: report only)')
    .option('--min-age <duration>', 'leave alone anything younger than this, e.g. 15m, 1h, 0s', '15m')
    .action(lazy(() => import('./doctor.js'), 'doctor'));
  program
    .command('retention')
    .description('list files (or flows) older than the retention rule; --apply erases them and all derived data')
    .option('--apply', 'erase what is due (default: report only)')
    .option('--older-than <duration>', 'due when older than this, e.g. 30d, 12h, 0s', '30d')
    .addOption(new Option('--kind <kind>', 'what the rule is about').choices(['file', 'journey']).default('file'))
    .option('--status <status>', 'only files (stored, ...) or flows (failed, ...) of this status')
    .action(lazy(() => import('./retention.js'), 'retention'));
  program
    .command('hold')
    .description('set a legal hold on a file (never erased while held); --release releases it')
    .argument('<fileId>')
    .option('--release', 'release the hold')
    .option('--reason <text>', 'why (kept in the hold record)')
    .action(lazy(() => import('./retention.js'), 'hold'));
  program
    .command('audit')
    .description("verify the tenant's audit trail (the hash chain of its governance records) and print its head")
    .option('--expect <head>', 'the head an earlier run printed (<seq>:<sha256>): also finds records removed since')
    .action(lazy(() => import('./audit.js'), 'audit'));
  program
    .command('serve')
    .description('serve the HTTP API (REST, live events, MCP) with a development sign-in, until Ctrl-C')
    .option('--port <port>', 'port to listen on, 0 for any free one (default 7070)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1: this machine only)')
    .action(lazy(() => import('./serve.js'), 'serve'));
  program
    .command('mcp')
    .description(
      'serve the data mash to MCP clients (Claude Desktop, IDEs, agents) on stdin/stdout, until stdin closes',
    )
    .option('--max-bytes <size>', 'largest file the upload tool accepts, e.g. 5MB (default 20 MiB)')
    .action(lazy(() => import('./mcp.js'), 'mcp'));

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (usageText.length > 0) {
        const { printable } = await import('./output.js');
        process.stderr.write(usageText.join('').split('\n').map(printable).join('\n'));
      }
      // Help and version end with exit code 0; every other parse error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { errorLine } = await import('./output.js');
    process.stderr.write(`data-mash: ${errorLine(error, verbose)}\n`);
    return exitCodeFor(error);
  }
}
