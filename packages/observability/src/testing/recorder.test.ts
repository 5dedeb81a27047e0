import { describe, expect, it } from 'vitest';
import { withSpan } from '../spans/with-span.js';
import { installObservabilityRecorder } from './recorder.js';

describe('installObservabilityRecorder', () => {
  it('reports open spans, refuses a second install, and uninstalls cleanly', async () => {
    const recorder = installObservabilityRecorder();
    expect(() => installObservabilityRecorder()).toThrow(/already registered/);

    let finish!: () => void;
    const running = withSpan('left.open', () => new Promise<void>((resolve) => (finish = resolve)));
    expect(() => recorder.assertNoOpenSpans()).toThrow('1 span(s) never ended: left.open');
    finish();
    await running;
    recorder.assertNoOpenSpans();
    expect(() => recorder.span('missing')).toThrow(
      "expected one finished span named 'missing', found 0 among [left.open]",
    );

    await recorder.uninstall();
    withSpan('after.uninstall', () => undefined);
    expect(recorder.spans().map((span) => span.name)).toEqual(['left.open']);

    const again = installObservabilityRecorder();
    withSpan('second.install', () => undefined);
    expect(again.spans().map((span) => span.name)).toEqual(['second.install']);
    await again.uninstall();
  });
});
