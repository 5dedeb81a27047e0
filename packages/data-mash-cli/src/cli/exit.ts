// What `runCli` needs before it knows the command: exit codes and the usage error. Nothing here
// imports a platform package, so that `--help`, `--version` and a usage error load no store code.

/** Exit codes scripts can rely on (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** A flow failed, or what was asked for does not exist. */
  failed: 1,
  /** The command line is wrong: unknown command or option, a file that does not exist. */
  usage: 2,
  /** The platform could not start: invalid configuration, a store unreachable. */
  unavailable: 3,
} as const;

const UNAVAILABLE = new Set(['CONFIG_INVALID', 'ADAPTER_UNAVAILABLE', 'STARTUP_FAILED', 'SERVICE_WIRING_INVALID']);

/** A wrong command line, reported with exit code 2. */
export class UsageError extends Error {}

/** The exit code an error ends the command with. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && UNAVAILABLE.has(code)) return EXIT.unavailable;
  return EXIT.failed;
}
