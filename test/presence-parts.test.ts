import { describe, expect, it } from 'vitest';
import { formatOnFor } from '../handler/flows/who.js';
import { doorOf } from '../handler/presence.js';

describe("who's online, in parts", () => {
  it('says how long a caller has been on in minutes, then hours and minutes', () => {
    expect(formatOnFor(0)).toBe('0m');
    expect(formatOnFor(59_999)).toBe('0m');
    expect(formatOnFor(12 * 60_000 + 5000)).toBe('12m');
    expect(formatOnFor(125 * 60_000)).toBe('2h05m');
    // A clock that went back a little (another backend's) is no negative time.
    expect(formatOnFor(-5000)).toBe('0m');
  });

  it('names the door from the proxy DOOR header, or from what Mongrel2 sends', () => {
    expect(doorOf({ DOOR: 'telnet' })).toBe('telnet');
    expect(doorOf({ DOOR: 'websocket' })).toBe('web');
    expect(doorOf({ DOOR: 'json' })).toBe('json');
    expect(doorOf({ METHOD: 'JSON' })).toBe('json');
    expect(doorOf({ METHOD: 'GET' })).toBe('web');
    // Behind Mongrel2, m2bbs dial's first message says it is the client; a bare JSON socket's does not.
    expect(doorOf({ METHOD: 'JSON' }, '{"type":"msg","msg":"connect","columns":80,"client":"m2bbs"}')).toBe('client');
    expect(doorOf({ METHOD: 'JSON' }, '{"type":"msg","msg":"connect","client":"other"}')).toBe('json');
    expect(doorOf({ METHOD: 'JSON' }, 'not json "client"')).toBe('json');
    expect(doorOf({ DOOR: 'client' })).toBe('client');
  });
});
