import { type JourneyProgress, JourneyProgressEvent, PostOfficeRef } from '@platform/smart-city';
import { afterEach, describe, expect, it } from 'vitest';
import { ada, bob, startFlowPlatform } from './flow.test-helpers.js';

type Started = Awaited<ReturnType<typeof startFlowPlatform>>;
const running: Started[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.stop()));
});

const MILESTONES = ['file_uploaded', 'file_parsed', 'semantic_processed', 'insights_generated'];

describe('journey progress (live events for the front door)', () => {
  it("publishes every milestone's start and completion, then the journey's, in order, to the journey's tenant only", async () => {
    const started = await startFlowPlatform();
    running.push(started);
    const postOffice = started.platform.get(PostOfficeRef);
    const acme: Array<JourneyProgress & { traceId?: string }> = [];
    const globex: JourneyProgress[] = [];
    postOffice.subscribe(JourneyProgressEvent, 'acme', (event) => {
      acme.push({ ...event.payload, ...(event.traceId ? { traceId: event.traceId } : {}) });
    });
    postOffice.subscribe(JourneyProgressEvent, 'globex', (event) => {
      globex.push(event.payload);
    });

    const result = await started.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'orders.csv', data: new TextEncoder().encode('id,total\n1,9.5\n2,12\n') },
    });
    expect(result.success).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));

    expect(acme.map((event) => `${event.milestone}:${event.status}`)).toEqual([
      ...MILESTONES.flatMap((milestone) => [`${milestone}:started`, `${milestone}:completed`]),
      'journey:completed',
    ]);
    expect(new Set(acme.map((event) => event.journeyId))).toEqual(new Set([result.journeyId]));
    expect(new Set(acme.map((event) => event.traceId))).toEqual(new Set([result.traceId]));
    expect(globex).toEqual([]);
  });

  it('publishes the failure with its code, and nothing for another tenant', async () => {
    const started = await startFlowPlatform();
    running.push(started);
    const events: JourneyProgress[] = [];
    started.platform.get(PostOfficeRef).subscribe(JourneyProgressEvent, 'globex', (event) => {
      events.push(event.payload);
    });
    // An executable named .csv: quarantined by the Content Steward in the first milestone.
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(120).fill(0)]);
    const result = await started.flow.executeDataMashFlow({ userContext: bob, file: { name: 'x.csv', data: elf } });
    expect(result.success).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    const failed = events.filter((event) => event.status === 'failed');
    const code = result.success ? '' : result.error.code;
    // The milestone that failed, then the journey as a whole (what a watcher waits for).
    expect(failed).toMatchObject([
      { milestone: 'file_uploaded', error: { code } },
      { milestone: 'journey', error: { code } },
    ]);
  });
});
