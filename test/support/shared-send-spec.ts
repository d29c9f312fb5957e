/**
 * A real Mongrel2 with `m2bbs handler` processes on its one send_spec, sharing a fresh database:
 * the scale-out tests' rig. `start` in beforeEach, `stop` in afterEach (callers hung up, handlers
 * and Mongrel2 stopped, the folder removed), even when a test fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandlerProcess } from './handler-process.js';
import type { JsonSocketClient } from './json-socket-client.js';
import { RealMongrel2 } from './real-mongrel2.js';

export class SharedSendSpecRig {
  /** The handlers started, in order; kept for their log records. */
  readonly handlers: HandlerProcess[] = [];
  /** Callers a test opened, hung up at stop. */
  readonly callers: JsonSocketClient[] = [];
  private folder = '';
  private mongrel2: RealMongrel2 | undefined;

  constructor(private readonly prefix: string) {}

  async start(): Promise<void> {
    this.folder = mkdtempSync(join(tmpdir(), this.prefix));
    this.mongrel2 = await RealMongrel2.start();
  }

  /** The shared SQLite file. */
  get db(): string {
    return join(this.folder, 'bbs.db');
  }

  /** Starts `count` handlers (bbs.10, bbs.11, ...) on Mongrel2's send_spec; resolves with the server once all are ready. */
  async startHandlers(count: number): Promise<RealMongrel2> {
    const server = this.mongrel2 as RealMongrel2;
    for (let i = 0; i < count; i++) {
      this.handlers.push(HandlerProcess.start(['--name', `bbs.${10 + i}`, '--send-spec', server.sendSpec, '--recv-spec', server.recvSpec, '--db', this.db, '--bad-pass-delay-ms', '0'], { db: false }));
    }
    await Promise.all(this.handlers.map((h) => h.ready()));
    return server;
  }

  async stop(): Promise<void> {
    for (const caller of this.callers.splice(0)) caller.destroy();
    await Promise.all(this.handlers.splice(0).map((h) => h.stop()));
    await this.mongrel2?.stop();
    this.mongrel2 = undefined;
    if (this.folder !== '') rmSync(this.folder, { recursive: true, force: true });
  }
}
