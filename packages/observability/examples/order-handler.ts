import {
  createObservability,
  currentSpanId,
  extractTraceContext,
  injectTraceHeaders,
  runWithTraceContext,
  type TelemetrySink,
} from '@platform/observability';

interface OrderRequest {
  headers: Record<string, string | undefined>;
  body: { sku: string; quantity: number; customerEmail: string };
}

export function createOrderHandler(options: { sink?: TelemetrySink } = {}) {
  const obs = createObservability({ service: 'orders-api', ...options });

  return async function handleOrder(request: OrderRequest) {
    // Continue the caller's trace when its headers carry a valid one; start a new one otherwise.
    const incoming = extractTraceContext(request);
    return runWithTraceContext(incoming, () =>
      obs.withSpan('orders.create', { 'order.sku': request.body.sku }, () =>
        obs.trackOperation('orders.create', { ...request.body }, async () => {
          if (request.body.quantity < 1) {
            const error = Object.assign(new Error('quantity must be at least 1'), { code: 'VALIDATION_FAILED' });
            obs.auditError(error, { operation: 'orders.validate', details: { sku: request.body.sku } });
            throw error;
          }
          obs.metrics.incrementCounter('orders.created', 1, { sku: request.body.sku });
          // Answer with the trace, so the caller can quote it in a support ticket.
          const headers = injectTraceHeaders({}, { traceId: incoming.traceId, spanId: currentSpanId() });
          return { status: 201, headers };
        }),
      ),
    );
  };
}
