import { createPlatform, defineService, defineServiceRef, formatStartupReport } from '@platform/foundations';

interface Clock {
  now(): Date;
}
interface Greeter {
  greet(name: string): string;
}

export const ClockRef = defineServiceRef<Clock>({ id: 'foundation.clock', tier: 'foundation' });
export const GreeterRef = defineServiceRef<Greeter>({ id: 'realm.greeter', tier: 'realm' });

export async function runQuickstart() {
  const platform = createPlatform({
    services: [
      defineService({ ref: ClockRef, factory: () => ({ now: () => new Date() }) }),
      defineService({
        ref: GreeterRef,
        deps: { clock: ClockRef },
        factory: ({ clock }) => ({ greet: (name) => `Hello ${name}, it is ${clock.now().toISOString()}` }),
      }),
    ],
  });
  const report = await platform.start();
  console.log(formatStartupReport(report));
  const greeting = platform.get(GreeterRef).greet('Ada');
  await platform.stop();
  return greeting;
}
