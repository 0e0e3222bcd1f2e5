/**
 * The live view a security team reads: whole user and client ids (a cut id cannot be
 * searched for), and the events of batches that arrive a moment apart shown in the
 * order they happened.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLiveFeedServer, type LiveFeedServer } from '../../src/live-feed/index.js';
import {
  formatAuditLine,
  reorderBuffer,
  subscribeLiveView,
  type ViewedEvent,
} from '../../src/live-view.js';

const at = (second: number, name: string): ViewedEvent => ({
  time: Date.UTC(2026, 11, 6, 12, 0, second),
  message: `event ${name}`,
  user: { name },
});

describe('formatAuditLine', () => {
  it('shows a long user id and a client id whole', () => {
    const user = 'a1b2c3d4-0000-4000-8000-00000000beef-federated_google_1234567890';
    expect(formatAuditLine({ ...at(0, user) })).toContain(` ${user} `);
    const client = '1example23456789abcdefghij';
    expect(
      formatAuditLine({ time: 0, message: 'Tokens issued', unmapped: { clientId: client } }),
    ).toContain(`client:${client}`);
  });
});

describe('reorderBuffer', () => {
  it('holds a group for the window, then emits it sorted by time, stable for equal times', () => {
    vi.useFakeTimers();
    try {
      const shown: string[] = [];
      const buffer = reorderBuffer(100, (event) => shown.push(event.user?.name ?? ''));
      buffer.push(at(3, 'c'));
      buffer.push(at(1, 'a'));
      buffer.push(at(3, 'd'));
      vi.advanceTimersByTime(50);
      buffer.push(at(2, 'b'));
      expect(shown).toEqual([]);
      vi.advanceTimersByTime(50);
      expect(shown).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('emits at once with a window of 0', () => {
    const shown: string[] = [];
    const buffer = reorderBuffer(0, (event) => shown.push(event.user?.name ?? ''));
    buffer.push(at(2, 'b'));
    buffer.push(at(1, 'a'));
    expect(shown).toEqual(['b', 'a']);
  });
});

describe('subscribeLiveView', () => {
  let server: LiveFeedServer;
  let url: string;

  beforeAll(async () => {
    server = createLiveFeedServer();
    url = await server.start(0);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('shows two batches published out of order in the order their events happened', async () => {
    const shown: string[] = [];
    const view = await subscribeLiveView({
      liveFeedUrl: url,
      // Long enough that only flush() shows them: the test does not wait on a clock.
      reorderMs: 60_000,
      onEvent: (event) => shown.push(event.user?.name ?? ''),
    });
    server.publish('/auth/sign-in', [
      JSON.stringify(at(3, 'third')),
      JSON.stringify(at(4, 'fourth')),
    ]);
    server.publish('/auth/sign-up', [
      JSON.stringify(at(1, 'first')),
      JSON.stringify(at(2, 'second')),
    ]);
    while (view.received < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(shown).toEqual([]);
    view.flush();
    expect(shown).toEqual(['first', 'second', 'third', 'fourth']);
    await view.close();
  });
});
