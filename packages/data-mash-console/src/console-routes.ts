import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformError } from '@platform/foundations';

/** What {@link consoleRoutes} takes (all optional). */
export interface ConsoleRoutesOptions {
  /** The built console's directory (its `index.html` and `assets/`). Default: the one this package ships. */
  root?: string;
}

/**
 * The console's Content-Security-Policy: its own scripts only, no inline script, no other origin
 * (the API and `/ws` are the same origin). Inline styles are allowed: the charts set them.
 * A report is shown in a sandboxed frame, which runs no script either.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  // The report is shown from its text (`srcdoc`), in a sandbox.
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Asset {
  mediaType: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

// Reads the built files once (a few hundred kilobytes), with the `.br` and `.gz` copies the build
// wrote beside them.
async function loadAssets(root: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const add = async (urlPath: string, file: string) => {
    const [identity, br, gzip] = await Promise.all([
      readFile(file),
      readFile(`${file}.br`).catch(() => undefined),
      readFile(`${file}.gz`).catch(() => undefined),
    ]);
    const asset: Asset = { mediaType: MEDIA_TYPES[extname(file)] ?? 'application/octet-stream', identity };
    if (br) asset.br = br;
    if (gzip) asset.gzip = gzip;
    assets.set(urlPath, asset);
  };
  try {
    await add('/', join(root, 'index.html'));
  } catch (error) {
    throw new PlatformError('SERVICE_UNAVAILABLE', `the console is not built: no index.html in ${root}`, {
      cause: error,
    });
  }
  const names = await readdir(join(root, 'assets')).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => !name.endsWith('.br') && !name.endsWith('.gz'))
      .map((name) => add(`/assets/${name}`, join(root, 'assets', name))),
  );
  return assets;
}

function encodingFor(request: Request, asset: Asset): 'br' | 'gzip' | undefined {
  const accepted = (request.headers.get('accept-encoding') ?? '').toLowerCase();
  const offers = (name: string) =>
    new RegExp(`(^|[\\s,])${name}(\\s*;\\s*q=(?!0(\\.0*)?\\s*(,|$))[0-9.]+)?\\s*(,|$)`).test(accepted);
  if (asset.br && offers('br')) return 'br';
  if (asset.gzip && offers('gzip')) return 'gzip';
  return undefined;
}

/**
 * The console's routes, to mount on the front door beside the API: `/` (the page) and
 * `/assets/*` (its scripts and styles, named by their content hash and cached for a year). The
 * page needs no credential; everything it shows comes from the API with the caller's token.
 *
 * @example
 * ```ts
 * import { consoleRoutes } from '@platform/data-mash-console';
 * const front = createHttpApp(platform, { mount: { ...consoleRoutes(), '/mcp': mcpHttpHandler(platform) } });
 * ```
 */
export function consoleRoutes(
  options: ConsoleRoutesOptions = {},
): Readonly<Record<string, (request: Request) => Promise<Response>>> {
  const root = options.root ?? fileURLToPath(new URL('./app', import.meta.url));
  let loaded: Promise<Map<string, Asset>> | undefined;
  const handler = async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new PlatformError(
        'METHOD_NOT_ALLOWED',
        `${request.method.slice(0, 20)} is not allowed here; use GET, HEAD`,
        {
          details: { allowed: ['GET', 'HEAD'] },
        },
      );
    }
    loaded ??= loadAssets(root);
    const assets = await loaded.catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    const path = new URL(request.url).pathname;
    // The page where the host mounted it (`/`, or `/console/` under a prefix), and its files.
    const at = path.lastIndexOf('/assets/');
    const asset = assets.get(at === -1 ? (path.endsWith('/') ? '/' : '') : path.slice(at));
    if (!asset) throw new PlatformError('NOT_FOUND', `the console has no file at ${path.slice(0, 200)}`);
    const encoding = encodingFor(request, asset);
    const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.identity;
    const headers: Record<string, string> = {
      'content-type': asset.mediaType,
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
      'content-length': String(body?.byteLength ?? 0),
    };
    if (encoding) headers['content-encoding'] = encoding;
    if (asset.mediaType.startsWith('text/html')) {
      headers['cache-control'] = 'no-cache';
      headers['content-security-policy'] = CONSOLE_CONTENT_SECURITY_POLICY;
      headers['referrer-policy'] = 'no-referrer';
      headers['x-frame-options'] = 'DENY';
    } else {
      headers['cache-control'] = 'public, max-age=31536000, immutable';
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body ?? Buffer.alloc(0)), {
      status: 200,
      headers,
    });
  };
  return { '/': handler, '/assets/*': handler };
}
