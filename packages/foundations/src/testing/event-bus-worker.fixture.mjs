// A worker process of the event bus conformance suite: builds the bus the suite describes
// (`new (await import(module))[exportName](options)`) and plays one role, reporting on stdout one
// JSON line per fact: `{ready}` once subscribed, `{got}` / `{handled}` per event, `{published}`.
//   consume: a group member that handles every event (a few ms each) until SIGTERM;
//   hang:    a group member that takes events and never finishes (killed by the suite);
//   publish: publishes `count` events, then shuts the bus down and exits 0.
// Usage: node event-bus-worker.fixture.mjs '<json>'
import { randomUUID } from 'node:crypto';
import { registerHooks } from 'node:module';

// TypeScript sources import each other as `.js`: map a relative `.js` that is missing to `.ts`.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});

const { module, exportName, options, role, tenant, group, type, count } = JSON.parse(process.argv[2]);
const report = (fact) => process.stdout.write(`${JSON.stringify(fact)}\n`);
const Bus = (await import(module.startsWith('file:') ? module : `file://${module}`))[exportName];
const bus = typeof Bus.connect === 'function' ? await Bus.connect(options) : new Bus(options);

if (role === 'publish') {
  for (let index = 0; index < count; index += 1) {
    const id = randomUUID();
    await bus.publish({ id, type, tenantId: tenant, occurredAt: new Date(), payload: { index } });
    report({ published: id });
  }
  await bus.shutdown();
  process.exit(0);
} else {
  const hang = role === 'hang';
  const unsubscribe = bus.subscribe(
    type,
    async (event) => {
      if (hang) {
        report({ got: event.id });
        await new Promise(() => {});
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
      report({ handled: event.id });
    },
    { tenantId: tenant, group },
  );
  await unsubscribe.ready;
  report({ ready: true });
  process.on('SIGTERM', async () => {
    await unsubscribe();
    await bus.shutdown();
    process.exit(0);
  });
}
