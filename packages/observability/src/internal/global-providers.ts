import { context, diag, type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** What {@link registerGlobalProviders} registered, to undo it. */
export interface RegisteredGlobals {
  /** Unregisters the providers and the context manager (the providers are not shut down). */
  unregister(): void;
}

// A refused registration is reported by the API on its diagnostic logger; the callers throw a
// clearer error of their own instead. Silencing removes the host's diagnostic logger for good
// (the API cannot give it back), so only the test recorder, which sets its own after, asks for it.
function register(step: () => boolean, silence: boolean): boolean {
  if (silence) diag.disable();
  return step();
}

/**
 * Registers `tracerProvider` (and `meterProvider`, when given) as the global OpenTelemetry
 * providers, with a new AsyncLocalStorage context manager, so that spans started through
 * `@opentelemetry/api` are recorded and parented across `await`. One global at a time: on a
 * refusal, only what this call registered is undone (the providers already in place, another
 * recorder's or the host's SDK, are left untouched) and it throws.
 *
 * Used by the `./testing` recorder and the `./trace-buffer` installer; needs the optional peer
 * `@opentelemetry/context-async-hooks`.
 * @throws {Error} naming `who` when another provider is already registered globally.
 */
export function registerGlobalProviders(
  who: string,
  providers: { tracerProvider: TracerProvider; meterProvider?: MeterProvider },
  options: { silenceDiagnostics?: boolean } = {},
): RegisteredGlobals {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const undo: Array<() => void> = [];
  const { tracerProvider, meterProvider } = providers;
  const steps: Array<[() => boolean, () => void]> = [
    [() => trace.setGlobalTracerProvider(tracerProvider), () => trace.disable()],
  ];
  if (meterProvider) steps.push([() => metrics.setGlobalMeterProvider(meterProvider), () => metrics.disable()]);
  steps.push([() => context.setGlobalContextManager(contextManager), () => context.disable()]);
  for (const [step, unregister] of steps) {
    if (!register(step, options.silenceDiagnostics ?? false)) {
      for (const step of undo.reverse()) step();
      contextManager.disable();
      throw new Error(
        `${who}: an OpenTelemetry provider is already registered globally; ` +
          'call uninstall() on the previous recorder (or disable the other SDK) first',
      );
    }
    undo.push(unregister);
  }
  return {
    unregister() {
      for (const step of undo.reverse()) step();
      undo.length = 0;
      contextManager.disable();
    },
  };
}
