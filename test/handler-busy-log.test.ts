/**
 * A real `m2bbs handler` with every line taken, offered one call again and again (as the proxy
 * offers a handed-off caller waiting for a free line, each time on a new connection): each offer
 * is answered busy and closed, but the log says `busy` at info once for that call, not once per
 * offer; another call refused logs its own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRequest } from '../common/mongrel2-wire.js';
import { FakeMongrel2, M2_UUID } from './support/fake-mongrel2.js';
import { HandlerProcess } from './support/handler-process.js';

const SESSION = 'ab'.repeat(16);
const OFFERS = 6;

describe('m2bbs handler refusing one call over and over', () => {
  let m2: FakeMongrel2;
  let handler: HandlerProcess | undefined;

  beforeEach(async () => {
    m2 = await FakeMongrel2.start();
  });
  afterEach(async () => {
    await handler?.stop();
    handler = undefined;
    await m2.close();
  });

  it('answers every offer busy, and logs busy at info once for the call', async () => {
    handler = HandlerProcess.start(['--name', 'bbs.10', '--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--max-callers', '1']);
    await handler.ready();
    await m2.say('1', 'connect');
    await m2.untilPrompt('1');

    // The proxy's mover: the same call (SESSION) on a new connection each time, resuming.
    for (let i = 0; i < OFFERS; i++) {
      const connId = String(100 + i);
      const headers = { PATH: '@bbs', METHOD: 'JSON', PATTERN: '@bbs', REMOTE_ADDR: '127.0.0.1', SESSION, RESUME: '1', ACKED: '3', SEQ: '4' };
      await m2.sendRaw(encodeRequest({ uuid: M2_UUID, connId, path: '@bbs', headers, body: JSON.stringify({ type: 'msg', msg: 'hello' }), headerFormat: 'json' }));
      expect(await m2.untilPrompt(connId)).toEqual({ texts: [expect.stringContaining('Busy')], prompt: undefined, closed: true });
    }
    // Another caller refused: a call of its own, logged.
    await m2.say('200', 'connect');
    expect((await m2.untilPrompt('200')).closed).toBe(true);
    const other = await handler.waitForLog((r) => r.msg === 'busy' && r.conn === '200');
    expect(other).toMatchObject({ level: 'info', live: 1, max: 1 });

    const infos = handler.records.filter((r) => r.msg === 'busy' && r.level === 'info');
    expect(infos.map((r) => r.conn)).toEqual(['100', '200']);
  });
});
