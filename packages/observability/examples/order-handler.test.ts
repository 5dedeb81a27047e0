import { readFileSync } from 'node:fs';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrderHandler } from './order-handler.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const handleOrder = createOrderHandler({ sink: recorder.sink });
const order = { sku: 'SKU-1', quantity: 2, customerEmail: 'jo@example.com' };

describe('README example: order handler', () => {
  it('is the code the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('./order-handler.ts', import.meta.url), 'utf8');
    expect(readme).toContain(source.trim());
  });

  it('continues the caller trace, answers with it, and logs a redacted event', async () => {
    const response = await handleOrder({ headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }, body: order });
    const span = recorder.span('orders.create');
    expect(response).toEqual({
      status: 201,
      headers: { traceparent: `00-${TRACE_ID}-${span.spanId}-01`, 'x-trace-id': TRACE_ID },
    });
    expect(span).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: '00f067aa0ba902b7',
      attributes: { 'order.sku': 'SKU-1' },
    });
    expect(recorder.events).toEqual([
      expect.objectContaining({
        operation: 'orders.create',
        success: true,
        traceId: TRACE_ID,
        details: { sku: 'SKU-1', quantity: 2, customerEmail: '[REDACTED]' },
      }),
    ]);
    recorder.assertNoOpenSpans();
  });

  it('starts a fresh trace for a hostile header, and audits a rejected order', async () => {
    await expect(
      handleOrder({ headers: { 'x-trace-id': `${'0'.repeat(32)}` }, body: { ...order, quantity: 0 } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const span = recorder.span('orders.create');
    expect(span.traceId).not.toBe('0'.repeat(32));
    expect(span.status.code).toBe('error');
    expect(recorder.events.map((event) => [event.operation, event.success, event.error?.code, event.traceId])).toEqual([
      ['orders.validate', false, 'VALIDATION_FAILED', span.traceId],
      ['orders.create', false, 'VALIDATION_FAILED', span.traceId],
    ]);
  });
});
