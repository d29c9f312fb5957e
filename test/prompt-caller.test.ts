import { describe, expect, it } from 'vitest';
import { readReply } from '../client/bbs-reply.js';
import { ackOf, callerOf, isUnackedPrompt } from '../common/prompt-ack.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { renderReply } from '../handler/replies.js';
import { loadScreens } from '../handler/screens.js';
import { renderReply as renderText, PLAIN_TERMINAL } from '../server/render-text.js';

const screens = loadScreens(SHIPPED_SCREENS);
const ask = { kind: 'ask', screen: 'name', vars: undefined, pchar: '> ', echo: true } as const;

describe('the logged-in signal in prompts', () => {
  it('follows the seq, which the proxy still reads first', () => {
    const body = renderReply(screens, ask, 7, 'alice');
    expect(body.startsWith('{"type":"prompt","seq":7,"caller":"alice","msg":')).toBe(true);
    expect(ackOf(Buffer.from(body))).toBe(7);
    expect(callerOf(Buffer.from(body))).toBe('alice');
    expect(isUnackedPrompt(Buffer.from(body))).toBe(false);
  });

  it('follows the type when the prompt has no seq', () => {
    const body = renderReply(screens, ask, -1, 'Bob Smith');
    expect(body.startsWith('{"type":"prompt","caller":"Bob Smith","msg":')).toBe(true);
    expect(callerOf(Buffer.from(body))).toBe('Bob Smith');
    expect(ackOf(Buffer.from(body))).toBeUndefined();
  });

  it('is absent before anyone logs in, and in anything but a prompt', () => {
    expect(callerOf(Buffer.from(renderReply(screens, ask, 3)))).toBeUndefined();
    expect(callerOf(Buffer.from(renderReply(screens, ask)))).toBeUndefined();
    expect(callerOf(Buffer.from('{"type":"screen","msg":"\\"caller\\":\\"x\\""}'))).toBeUndefined();
    // A name typed into a message is inside msg, never where the signal goes.
    expect(callerOf(Buffer.from('{"type":"prompt","msg":"\\"caller\\":\\"mallory\\"","pchar":"> "}'))).toBeUndefined();
    expect(callerOf(Buffer.from('{"type":"prompt","seq":1,"caller":"'))).toBeUndefined();
  });

  it('is ignored by the terminal client and the telnet rendering, which show the prompt as before', () => {
    const body = renderReply(screens, ask, 7, 'alice');
    expect(readReply(JSON.parse(body))).toEqual(readReply(JSON.parse(renderReply(screens, ask, 7))));
    expect(renderText(body, PLAIN_TERMINAL).bytes.toString()).toBe(renderText(renderReply(screens, ask, 7), PLAIN_TERMINAL).bytes.toString());
  });
});
