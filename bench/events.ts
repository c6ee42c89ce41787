import { randomUUID } from 'node:crypto';

/**
 * The i-th event of a benchmark batch: about 400 bytes of JSON, fresh ids, `created_at` in batch
 * order (so the order check takes its fast path, as with Upvest's batches).
 */
export const benchEvent = (i: number) => ({
  id: randomUUID(),
  created_at: `2021-11-19T13:06:57.${String(i).padStart(9, '0')}Z`,
  type: 'USER.CREATED',
  object: { id: randomUUID(), name: 'x'.repeat(200) },
  webhook_id: randomUUID(),
});

/** Events of `benchEvent` until their batch's JSON reaches `bytes`. */
export function batchOfSize(bytes: number): ReturnType<typeof benchEvent>[] {
  const events: ReturnType<typeof benchEvent>[] = [];
  while (JSON.stringify({ payload: events }).length < bytes) events.push(benchEvent(events.length));
  return events;
}
