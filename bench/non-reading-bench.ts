/**
 * `m2bbs bench --scenario non-reading` (issue 13): starts the BBS with long messages on the board,
 * dials callers who log in and then never read while they keep asking for pages of the board,
 * beside one caller who reads, and follows the proxy's memory, the lines it closes and the reader.
 */
import { cpus, release, totalmem } from 'node:os';
import { BENCH_PASSWORD, callerName, seedAccounts } from './accounts.js';
import { startBbs, type BbsUnderTest } from './bbs-under-test.js';
import { BOARD_MESSAGES, boardReadCycle, seedBoard } from './board.js';
import type { Dial } from './caller.js';
import type { BenchConfig } from './config.js';
import { jsonSocketDial } from './json-socket-wire.js';
import { summarise } from './load-bench.js';
import { runLoad, type LoadResult } from './load-run.js';
import { newRecord, nonReadingDial, type NonReaderRecord } from './non-reader.js';
import type { NonReadingReport } from './non-reading-report.js';
import { sampleProcess, type ProcSample } from './proc-stats.js';
import type { Progress } from './progress.js';
import { telnetDial } from './telnet-wire.js';
import { Walk } from './walk.js';
import { webSocketDial } from './websocket-wire.js';

const SAMPLE_EVERY_MS = 200;

/** Runs the scenario end to end on a BBS it starts, and returns its report. */
export async function runNonReadingBench(config: BenchConfig, progress: Progress): Promise<NonReadingReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const count = config.callers;
  // The last caller is the one who reads.
  const names = Array.from({ length: count + 1 }, (_, i) => callerName(config.names, i));
  progress.show(`starting the BBS: ${config.backends} backends, ${BOARD_MESSAGES} long messages on the board...`);
  const bbs: BbsUnderTest = await startBbs({
    backends: config.backends,
    maxCallers: config.maxCallers,
    prepare: async (db) => {
      await seedAccounts(db, names);
      seedBoard(db, names[count] as string);
    },
    ...(config.maxOutputBytes === undefined ? {} : { maxOutputBytes: config.maxOutputBytes }),
  });
  const host = '127.0.0.1';
  const dials: Record<'json' | 'telnet' | 'websocket', Dial> = {
    json: jsonSocketDial(host, bbs.httpPort, config.route),
    websocket: webSocketDial(host, bbs.httpPort, config.route),
    telnet: telnetDial(host, bbs.telnetPort),
  };
  const doorFor = (i: number): 'json' | 'telnet' | 'websocket' => (config.door === 'mixed' ? (['json', 'telnet', 'websocket'] as const)[i % 3] ?? 'json' : config.door);
  const records: NonReaderRecord[] = Array.from({ length: count }, newRecord);
  const now = (): number => performance.now();
  const typing = { lines: boardReadCycle(), everyMs: Math.max(1, config.thinkMs), now };

  const proxyPid = bbs.processes().find((p) => p.name === 'proxy')?.pid;
  const sample = (): ProcSample | undefined => (proxyPid === undefined ? undefined : sampleProcess(proxyPid));
  const before = sample();
  let peak = before?.rssBytes ?? 0;
  let windowStart: ProcSample | undefined;
  let windowEnd: ProcSample | undefined;
  let windowOpenedAt = 0;
  const every5s: number[] = [];
  const sampler = setInterval(() => {
    const at = sample();
    if (at === undefined) return;
    peak = Math.max(peak, at.rssBytes);
    if (windowStart !== undefined && windowEnd === undefined && now() - windowOpenedAt >= every5s.length * 5000) every5s.push(at.rssBytes);
  }, SAMPLE_EVERY_MS);
  let result: LoadResult;
  let after: ProcSample | undefined;
  let serverProblems: string[] = [];
  try {
    result = await runLoad({
      label: 'non-reading',
      callers: count + 1,
      dialFor: (i) => (i < count ? nonReadingDial(dials[doorFor(i)], typing, records[i] as NonReaderRecord) : dials[doorFor(i)]),
      walkFor: (i) => new Walk(names[i] as string, BENCH_PASSWORD, names[0] as string, i, 'menu'),
      plan: { thinkMs: config.thinkMs, idleAtMenu: false, now, random: Math.random },
      dialsPerSecond: config.dialsPerSecond,
      windowSeconds: config.durationSeconds,
      deadline: started + config.maxSeconds * 1000,
      progress,
      atWindowStart: () => {
        windowStart = sample();
        windowOpenedAt = now();
        if (windowStart !== undefined) every5s.push(windowStart.rssBytes);
      },
      atWindowEnd: () => {
        windowEnd = sample();
        if (windowEnd !== undefined) peak = Math.max(peak, windowEnd.rssBytes);
      },
    });
    after = sample();
  } finally {
    clearInterval(sampler);
    progress.show('stopping...');
    serverProblems = bbs.problems();
    await bbs.stop();
    progress.done();
  }
  const { stats } = result;
  const stopped = records.filter((r) => r.stoppedReadingAt !== undefined);
  const closed = records.filter((r) => r.closedAt !== undefined);
  const closedHow: Record<string, number> = {};
  for (const r of closed) closedHow[r.closedHow ?? 'closed'] = (closedHow[r.closedHow ?? 'closed'] ?? 0) + 1;
  const rssBefore = before?.rssBytes ?? null;
  const windowSeconds = result.windowSeconds;
  return {
    scenario: 'non-reading',
    startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: release() },
    settings: {
      door: config.door,
      nonReaders: count,
      readers: 1,
      typeEveryMs: typing.everyMs,
      windowSeconds: config.durationSeconds,
      maxOutputBytes: config.maxOutputBytes ?? "the proxy's default",
      boardMessages: BOARD_MESSAGES,
      backends: config.backends,
    },
    nonReaders: {
      dialled: count,
      stoppedReading: stopped.length,
      linesTyped: records.reduce((sum, r) => sum + r.linesTyped, 0),
      closedByServer: closed.length,
      closedAfterSeconds: closed.map((r) => ((r.closedAt ?? 0) - (r.stoppedReadingAt ?? 0)) / 1000).sort((a, b) => a - b),
      closedHow,
      onLineAtEnd: stopped.length - closed.length,
    },
    proxy: {
      pid: proxyPid ?? null,
      rssBeforeBytes: rssBefore,
      rssPeakBytes: before === undefined ? null : peak,
      rssAtEndBytes: windowEnd?.rssBytes ?? null,
      rssAfterHangUpBytes: after?.rssBytes ?? null,
      growthPerNonReaderBytes: rssBefore === null ? null : Math.round((peak - rssBefore) / Math.max(1, count)),
      rssEvery5sBytes: every5s,
      cpuPercent: windowStart === undefined || windowEnd === undefined ? null : Math.round((100 * (windowEnd.cpuSeconds - windowStart.cpuSeconds)) / windowSeconds),
    },
    reader: {
      reachedMenu: stats.atMenu > stopped.length,
      inputs: stats.inputs,
      answered: stats.answered,
      roundTripMs: stats.roundTrip.summary(),
      endedEarly: stats.ended > 0,
    },
    errors: { total: stats.errors, kinds: stats.errorKinds() },
    serverProblems: summarise(serverProblems),
    windowSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    stoppedBy: result.stoppedBy,
  };
}
