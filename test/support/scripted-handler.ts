/**
 * A plain Mongrel2 handler behind the real proxy, scripted by a test: it reads each line a caller
 * sends and answers with the bodies the test writes (prompts, events), as a backend would.
 */
import { afterEach, beforeEach } from 'vitest';
import { encodeReply, isDisconnect, type Mongrel2Request } from '../../common/mongrel2-wire.js';
import type { Proxy } from '../../server/proxy.js';
import type { ForeignHandler } from './foreign-handler.js';
import { startProxyWithHandler, type ProxyWithHandler } from './proxy-with-handler.js';

/** The proxy of the running test, and the handler's two moves. */
export interface ScriptedHandler {
  /** The real proxy (its doors: `proxy.telnet.port`, `proxy.front.port`). */
  readonly proxy: Proxy;
  /** The handler's sockets (close it to drop every line it serves). */
  readonly handler: ForeignHandler;
  /** The next line a caller sent, skipping disconnects. */
  nextLine(): Promise<Mongrel2Request>;
  /** Sends `body` (a client-protocol message) to the caller of `to`. */
  say(to: Mongrel2Request, body: string): Promise<void>;
}

/** The line the caller typed in a request, as the handler reads it. */
export function typedLine(request: Mongrel2Request): string {
  return (JSON.parse(request.body.toString()) as { msg: string }).msg;
}

/** A fresh proxy and scripted handler for each test of the describe this is called in, stopped after it. */
export function scriptedHandlerPerTest(): ScriptedHandler {
  let bbs: ProxyWithHandler | undefined;
  beforeEach(async () => {
    bbs = await startProxyWithHandler();
  });
  afterEach(async () => {
    await bbs?.close();
    bbs = undefined;
  });
  const current = (): ProxyWithHandler => {
    if (bbs === undefined) throw new Error('the scripted handler runs only inside a test');
    return bbs;
  };
  return {
    get proxy() {
      return current().proxy;
    },
    get handler() {
      return current().handler;
    },
    nextLine: () => current().handler.next((r) => !isDisconnect(r)),
    say: (to, body) => current().handler.reply(encodeReply(to.uuid, [to.connId], body)),
  };
}
