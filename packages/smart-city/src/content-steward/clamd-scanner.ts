import { connect, type Socket } from 'node:net';
import { ErrorCode, PlatformError } from '@platform/foundations';
import type { FileScanner, ScanVerdict } from './content-steward.js';

/** Where and how {@link clamdScanner} reaches clamd. */
export interface ClamdScannerOptions {
  /** clamd's `LocalSocket` (e.g. Debian's `/run/clamav/clamd.ctl`). When set, `host` and `port` are ignored. */
  socketPath?: string;
  /** clamd's `TCPAddr`. Default `127.0.0.1`. */
  host?: string;
  /** clamd's `TCPSocket`. Default `3310`. */
  port?: number;
  /** How long connecting may take before clamd counts as unreachable. Default 5,000 ms. */
  connectTimeoutMs?: number;
  /**
   * How long the connection may stay idle (nothing written, nothing answered) before the scan
   * fails with `TIMEOUT`. After the last chunk clamd is scanning and says nothing, so this also
   * bounds one scan's time: keep it above clamd's `MaxScanTime` (120 s by default). Default 150,000 ms.
   */
  timeoutMs?: number;
  /** The largest chunk sent in one INSTREAM frame. Default 64 KiB. */
  chunkBytes?: number;
  /**
   * clamd's `StreamMaxLength`, when known: a larger file is refused (`FILE_TOO_LARGE`) before a
   * byte is sent. Without it the client streams and clamd's `INSTREAM size limit exceeded`
   * answer gives the same error once the limit is passed. Never a "clean" verdict either way.
   */
  maxStreamBytes?: number;
}

/** What clamd said about a stream. */
export type ClamdScanResult = { clean: true } | { clean: false; signature: string };

/**
 * A {@link FileScanner} backed by clamd, with the calls a host needs around it. Throws (never
 * answers "clean") when the file could not be scanned: the Content Steward's `scanFailure`
 * option decides what happens to such a file.
 */
export interface ClamdScanner extends FileScanner {
  /** Where clamd is reached: `unix:/run/clamav/clamd.ctl` or `tcp:127.0.0.1:3310`. */
  readonly address: string;
  /**
   * Streams `source` to clamd with INSTREAM, in frames of at most `chunkBytes`, waiting for the
   * socket to drain before reading more: memory stays bounded whatever the file's size.
   * @throws {PlatformError} `SERVICE_UNAVAILABLE` (unreachable, connection dropped, an `ERROR`
   * answer), `TIMEOUT` (no progress within `timeoutMs`), `FILE_TOO_LARGE` (over `StreamMaxLength`).
   */
  scanStream(source: AsyncIterable<Uint8Array | string>): Promise<ClamdScanResult>;
  /**
   * Health: resolves when clamd answers PING with PONG.
   * @throws {PlatformError} `SERVICE_UNAVAILABLE` or `TIMEOUT` otherwise.
   */
  ping(): Promise<void>;
  /** clamd's VERSION answer, e.g. `ClamAV 1.4.6/27490/Tue Dec  2 09:12:03 2025` (engine/signature version/date). */
  version(): Promise<string>;
}

const DEFAULTS = { host: '127.0.0.1', port: 3310, connectTimeoutMs: 5_000, timeoutMs: 150_000, chunkBytes: 64 * 1024 };
const SIZE_LIMIT = 'INSTREAM size limit exceeded';

/**
 * A virus scanner for the Content Steward that talks to a running clamd (ClamAV's daemon) over
 * its Unix socket or TCP, with the INSTREAM command: the stored file's bytes are streamed from
 * the blob store in length-prefixed chunks, never held whole in memory. An infected file is
 * `{ clean: false, reason: 'infected: <signature>', signature }`; a file clamd could not scan
 * (unreachable, timed out, over `StreamMaxLength`, an `ERROR` answer) makes the scanner throw,
 * which the Content Steward treats as a scan failure (refused by default, see `scanFailure`).
 *
 * @example
 * ```ts
 * const scanner = clamdScanner({ socketPath: '/run/clamav/clamd.ctl' });
 * await scanner.ping(); // at start-up and in health checks
 * smartCityModule({ roles: [contentSteward({ scanner })] });
 * ```
 */
export function clamdScanner(options: ClamdScannerOptions = {}): ClamdScanner {
  const settings = { ...DEFAULTS, ...options };
  if (!Number.isInteger(settings.chunkBytes) || settings.chunkBytes < 1 || settings.chunkBytes > 0x7fffffff) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'clamdScanner: chunkBytes must be a positive integer', {
      details: { field: 'chunkBytes' },
    });
  }
  const address = settings.socketPath ? `unix:${settings.socketPath}` : `tcp:${settings.host}:${settings.port}`;
  const details = (more: Record<string, unknown> = {}) => ({ scanner: 'clamd', address, ...more });
  const unavailable = (message: string, more?: Record<string, unknown>, cause?: unknown) =>
    new PlatformError(ErrorCode.SERVICE_UNAVAILABLE, `clamd at ${address}: ${message}`, {
      details: details(more),
      ...(cause === undefined ? {} : { cause }),
    });
  const tooLarge = (more: Record<string, unknown>) =>
    new PlatformError(
      ErrorCode.FILE_TOO_LARGE,
      `the file is larger than clamd at ${address} accepts (its StreamMaxLength); it was not scanned. ` +
        'Raise StreamMaxLength (and MaxFileSize, MaxScanSize) to at least the Content Steward maxSizeBytes',
      { details: details({ limit: 'StreamMaxLength', ...more }) },
    );

  /** One connection: a socket plus the promise of clamd's NUL-terminated answer. */
  async function open(): Promise<{ socket: Socket; answer: Promise<string> }> {
    const socket = settings.socketPath
      ? connect({ path: settings.socketPath })
      : connect({ host: settings.host, port: settings.port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unavailable(`no connection within ${settings.connectTimeoutMs} ms`, { reason: 'connect_timeout' }));
      }, settings.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        resolve();
      });
      const failed = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(unavailable(`cannot connect (${error.code ?? error.message})`, { reason: 'unreachable' }, error));
      };
      socket.once('error', failed);
    });
    socket.setTimeout(settings.timeoutMs);
    const answer = new Promise<string>((resolve, reject) => {
      const received: Buffer[] = [];
      const text = () =>
        Buffer.concat(received)
          .toString('utf8')
          .replace(/\0[\s\S]*$/, '')
          .trim();
      socket.on('data', (data: Buffer) => {
        received.push(data);
        if (data.includes(0)) resolve(text());
      });
      socket.once('timeout', () => {
        reject(
          new PlatformError(ErrorCode.TIMEOUT, `clamd at ${address} made no progress for ${settings.timeoutMs} ms`, {
            details: details({ reason: 'timeout', timeoutMs: settings.timeoutMs }),
          }),
        );
        socket.destroy();
      });
      // An error or a close settles with what arrived: clamd answers, then closes (size limit).
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (received.length > 0) resolve(text());
        else
          reject(unavailable(`the connection failed (${error.code ?? error.message})`, { reason: 'dropped' }, error));
      });
      socket.once('close', () => {
        if (received.length > 0) resolve(text());
        else reject(unavailable('the connection closed without an answer', { reason: 'dropped' }));
      });
    });
    answer.catch(() => {}); // observed by the caller; never an unhandled rejection
    return { socket, answer };
  }

  /** Writes, then waits for the socket to drain when its buffer is full (backpressure). */
  function write(socket: Socket, ...buffers: Uint8Array[]): Promise<void> | undefined {
    if (socket.destroyed) return Promise.reject(new Error('socket closed'));
    let room = true;
    for (const buffer of buffers) room = socket.write(buffer);
    if (room) return undefined;
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        socket.off('drain', drained).off('close', closed).off('error', done);
        if (error) reject(error);
        else resolve();
      };
      const drained = () => done();
      const closed = () => done(new Error('socket closed'));
      socket.on('drain', drained).on('close', closed).on('error', done);
      if (socket.destroyed) closed();
    });
  }

  async function command(name: 'PING' | 'VERSION'): Promise<string> {
    const { socket, answer } = await open();
    try {
      socket.write(`z${name}\0`);
      return await answer;
    } finally {
      socket.destroy();
    }
  }

  function interpret(text: string, sentBytes: number): ClamdScanResult {
    if (text === 'stream: OK') return { clean: true };
    const found = /^stream: (.+) FOUND$/.exec(text);
    if (found?.[1]) return { clean: false, signature: found[1] };
    if (text.startsWith(SIZE_LIMIT)) throw tooLarge({ sentBytes });
    throw unavailable(`unexpected answer '${text.slice(0, 200)}'`, {
      reason: 'error_answer',
      answer: text.slice(0, 200),
    });
  }

  async function scanStream(source: AsyncIterable<Uint8Array | string>): Promise<ClamdScanResult> {
    const { socket, answer } = await open();
    type Outcome = { text: string } | { error: unknown };
    // Settles when clamd answers or the connection fails (dropped, timed out), whatever the source does.
    const settled: Promise<Outcome> = answer.then(
      (text) => ({ text }),
      (error: unknown) => ({ error }),
    );
    const iterator = source[Symbol.asyncIterator]();
    let sent = 0;
    let outcome: Outcome | undefined;
    try {
      try {
        await write(socket, Buffer.from('zINSTREAM\0'));
        for (;;) {
          // clamd answers before the end only to refuse (size limit): then stop reading the source.
          const next = await Promise.race([iterator.next().then((step) => ({ step })), settled]);
          if (!('step' in next)) {
            outcome = next;
            break;
          }
          if (next.step.done) {
            await write(socket, Buffer.alloc(4)); // the zero-length chunk ends the stream
            break;
          }
          const raw = next.step.value;
          const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
          for (let offset = 0; offset < chunk.byteLength; offset += settings.chunkBytes) {
            const piece = chunk.subarray(offset, offset + settings.chunkBytes);
            if (settings.maxStreamBytes !== undefined && sent + piece.byteLength > settings.maxStreamBytes) {
              throw tooLarge({ sentBytes: sent, maxStreamBytes: settings.maxStreamBytes });
            }
            const header = Buffer.allocUnsafe(4);
            header.writeUInt32BE(piece.byteLength, 0);
            await write(socket, header, piece);
            sent += piece.byteLength;
          }
        }
      } catch (error) {
        if (error instanceof PlatformError) throw error;
        // A write failed or the source broke. clamd's answer, when it came (size limit), says why.
        const grace = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250).unref());
        outcome = (await Promise.race([settled, grace])) ?? {
          error: unavailable(
            `the scan broke off after ${sent} bytes (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
            { reason: 'dropped', sentBytes: sent },
            error,
          ),
        };
      }
      outcome ??= await settled;
      if ('error' in outcome) throw outcome.error;
      return interpret(outcome.text, sent);
    } finally {
      socket.destroy();
      // Not awaited: a source stalled in next() would hold this up (a generator queues return()).
      iterator.return?.()?.catch(() => {});
    }
  }

  const scanner: FileScanner = async ({ open: openFile, sizeBytes }): Promise<ScanVerdict> => {
    if (settings.maxStreamBytes !== undefined && sizeBytes > settings.maxStreamBytes)
      throw tooLarge({ sizeBytes, maxStreamBytes: settings.maxStreamBytes });
    const stream = await openFile();
    let result: ClamdScanResult;
    try {
      result = await scanStream(stream);
    } finally {
      stream.destroy(); // also when clamd was unreachable and the stream was never read
    }
    return result.clean
      ? result
      : { clean: false, reason: `infected: ${result.signature}`, signature: result.signature };
  };

  return Object.assign(scanner, {
    address,
    scanStream,
    async ping() {
      const reply = await command('PING');
      if (reply !== 'PONG') throw unavailable(`PING answered '${reply.slice(0, 200)}'`, { reason: 'error_answer' });
    },
    version: () => command('VERSION'),
  });
}
