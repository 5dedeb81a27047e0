#!/usr/bin/env bash
# Packs every publishable package, installs the tarballs into a new npm project outside the
# repository (as a user of the SDK would, before or without a registry), and runs the data mash
# flow there: a host program using the packages' public entries (run as JavaScript, and
# type-checked as strict TypeScript against the packed declarations), and the data-mash bin.
#   bash tooling/pack-smoke.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/app"

for manifest in "$root"/packages/*/package.json; do
  dir=$(dirname "$manifest")
  if node -e 'process.exit(require(process.argv[1]).private ? 0 : 1)' "$manifest"; then continue; fi
  # pnpm pack turns workspace:^ dependencies into the version ranges npm understands.
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
echo "packed: $(cd "$work/tarballs" && ls | tr '\n' ' ')"

cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz @opentelemetry/api >/dev/null
cp "$root/examples/data/seattle-weather.csv" sample.csv

# The host program of docs/getting-started.md, in plain JavaScript.
cat > host.mjs <<'JS'
import { DataMashSolutionOrchestratorRef, dataMashModules } from '@platform/data-mash';
import { createPlatform } from '@platform/foundations';
import { trustUserContext } from '@platform/smart-city';
import { readFile } from 'node:fs/promises';

const platform = createPlatform({ config: { dataDir: './data', telemetry: { sink: 'silent' } }, modules: dataMashModules() });
await platform.start();
try {
  const flow = platform.get(DataMashSolutionOrchestratorRef);
  const userContext = trustUserContext(
    { userId: 'ada', tenantId: 'acme', roles: [], permissions: ['files:write', 'journeys:read', 'insights:read'] },
    { verifiedBy: 'pack-smoke' },
  );
  const result = await flow.executeDataMashFlow({ file: { name: 'sample.csv', data: await readFile('sample.csv') }, userContext });
  if (!result.success) throw new Error(`the flow failed: ${JSON.stringify(result.error)}`);
  const insights = await flow.readInsights(userContext, result.journeyId);
  if (insights.tables[0]?.insights.rowCount !== 1461) throw new Error(`unexpected row count ${insights.tables[0]?.insights.rowCount}`);
  console.log(`host: flow completed, ${insights.summary.length} summary statements`);
} finally {
  await platform.stop();
}
JS
node host.mjs

# The same program as TypeScript, type-checked against the packed declarations (the `types`
# conditions of each package's exports), strict, as a TypeScript user compiles it.
npm install --no-audit --no-fund --loglevel=error --save-dev \
  "typescript@$(node -p 'require(process.argv[1]).devDependencies.typescript' "$root/package.json")" \
  "@types/node@$(node -p 'require(process.argv[1]).devDependencies["@types/node"]' "$root/package.json")" >/dev/null
sed -e 's#^import { readFile } from .node:fs/promises.;#import { readFile } from "node:fs/promises";#' host.mjs > host.ts
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "nodenext", "target": "es2023", "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["host.ts"] }
JSON
node -e 'const p=require("./package.json"); p.type="module"; require("fs").writeFileSync("package.json", JSON.stringify(p, null, 2))'
npx tsc -p tsconfig.json
echo "types: the host program type-checks against the packed packages"

# Shared state from the packed packages: the key-value store and the event bus on Redis, the
# optional peer installed as a user would, the adapters chosen by URL (when a Redis is running).
if command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  npm install --no-audit --no-fund --loglevel=error \
    "ioredis@$(node -p 'require(process.argv[1]).peerDependencies.ioredis' "$root/packages/foundations/package.json")" >/dev/null
  prefix="pack-smoke-$$"
  # A host reading its stores from PLATFORM_* variables, as a deployed one does: a key-value
  # round trip and an event delivered through Redis Streams.
  cat > shared-state.mjs <<'JS'
import { randomUUID } from 'node:crypto';
import { createPlatform, EventBusRef, KeyValueStoreRef } from '@platform/foundations';

const platform = createPlatform({ env: process.env, config: { dataDir: './shared-data', telemetry: { sink: 'silent' } }, include: [EventBusRef, KeyValueStoreRef] });
await platform.start();
try {
  const kv = platform.get(KeyValueStoreRef);
  await kv.set('acme', 'smoke', { ok: true }, { ttlMs: 60_000 });
  if ((await kv.get('acme', 'smoke'))?.ok !== true) throw new Error('the key-value store lost a value');
  const bus = platform.get(EventBusRef);
  let unsubscribe;
  const received = new Promise((resolve) => {
    unsubscribe = bus.subscribe('smoke.checked', (event) => resolve(event.payload.n));
  });
  await unsubscribe.ready;
  await bus.publish({ id: randomUUID(), type: 'smoke.checked', tenantId: 'acme', occurredAt: new Date(), payload: { n: 42 } });
  if ((await received) !== 42) throw new Error('the event bus delivered another event');
  await unsubscribe();
  console.log(`shared state: ${kv.constructor.name} and ${bus.constructor.name}`);
} finally {
  await platform.stop();
}
JS
  PLATFORM_KEY_VALUE_STORE="redis://127.0.0.1:6379?prefix=$prefix" PLATFORM_EVENT_BUS="redis://127.0.0.1:6379?prefix=$prefix" \
    timeout 120 node shared-state.mjs
  keys=$(redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "$prefix:*" | wc -l)
  [ "$keys" -gt 0 ] || { echo "pack smoke: nothing was written to Redis under $prefix"; exit 1; }
  redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "$prefix:*" | xargs -r redis-cli -h 127.0.0.1 -p 6379 del >/dev/null
  echo "redis: written under $prefix ($keys keys, removed)"
fi

# The CLI, from its installed bin.
if [ -x node_modules/.bin/data-mash ]; then
  node_modules/.bin/data-mash --data-dir ./cli-data ingest sample.csv --json > ingest.json
  node -e 'const [r] = JSON.parse(require("fs").readFileSync("ingest.json", "utf8")); if (!r.success) process.exit(1); console.log("cli: flow completed, journey " + r.journeyId)'
  # The console, from the packed console package: the page and each file it loads.
  cat > console-smoke.mjs <<'JS'
import { spawn } from 'node:child_process';
const child = spawn('node_modules/.bin/data-mash', ['--data-dir', './cli-data', 'serve', '--port', '0', '--json']);
let out = '';
const { url, token } = await new Promise((resolve, reject) => {
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.trimEnd().endsWith('}')) resolve(JSON.parse(out));
  });
  child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
try {
  const page = await fetch(`${url}/`);
  const html = await page.text();
  if (!page.ok || !page.headers.get('content-security-policy')) throw new Error(`the console page: ${page.status}`);
  const files = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((match) => match[1]);
  if (files.length < 2) throw new Error(`the console page names ${files.length} files`);
  let bytes = 0;
  for (const file of files) {
    const response = await fetch(`${url}/${file}`, { headers: { 'accept-encoding': 'br' } });
    if (!response.ok) throw new Error(`${file}: ${response.status}`);
    bytes += (await response.arrayBuffer()).byteLength;
  }
  const journeys = await fetch(`${url}/journeys`, { headers: { authorization: `Bearer ${token}` } });
  if (!journeys.ok) throw new Error(`GET /journeys: ${journeys.status}`);
  console.log(`console: the page and ${files.length} files served (${bytes} bytes)`);
} finally {
  child.kill('SIGTERM');
}
JS
  timeout 120 node console-smoke.mjs
fi
echo "pack smoke: ok"
