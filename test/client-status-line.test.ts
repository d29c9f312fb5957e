import { describe, expect, it } from 'vitest';
import { OnlineClock, formatOnline, formatStatus } from '../client/status-line.js';

describe('the status bar', () => {
  it('shows number, name, time online and line state in the width it has', () => {
    const facts = { route: '@bbs.10', name: 'alice', onlineMs: 3_725_999, state: 'CONNECTED' as const };
    const line = formatStatus(facts, 60);
    expect(line).toHaveLength(60);
    expect(line).toMatch(/^ @bbs\.10 \| alice \| online 1:02:05 +CONNECTED $/);
    expect(formatStatus({ ...facts, name: undefined }, 60)).toContain('not logged in');
    expect(formatStatus(facts, 30)).toMatch(/~ CONNECTED $/);
    expect(formatStatus(facts, 5)).toBe('CONNE');
  });

  it('formats durations like a call timer', () => {
    expect(formatOnline(0)).toBe('0:00:00');
    expect(formatOnline(59_999)).toBe('0:00:59');
    expect(formatOnline(36_000_000)).toBe('10:00:00');
  });

  it('times from CONNECT until the line drops, and starts again on the next call', () => {
    let now = 1000;
    const clock = new OnlineClock(() => now);
    clock.lineState('DIALLING');
    now += 5000;
    expect(clock.ms).toBe(0);
    clock.lineState('CONNECTED');
    now += 7000;
    expect(clock.ms).toBe(7000);
    clock.lineState('NO CARRIER');
    now += 60_000;
    expect(clock.ms).toBe(7000);
    clock.lineState('DIALLING');
    expect(clock.ms).toBe(0);
  });
});
