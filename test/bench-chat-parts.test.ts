import { describe, expect, it } from 'vitest';
import { chatCpu, formatChatReport, type ChatReport } from '../bench/chat-report.js';
import { chatLine, chatTag, findTag, readEvent } from '../bench/chat-tags.js';
import { ChatTally } from '../bench/chat-tally.js';
import { parseBenchConfig } from '../bench/config.js';
import { ReplyStream, type JsonReply } from '../bench/reply-stream.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

describe('bench chat tags', () => {
  it('finds the tag of a line in the words said and in the line as shown, and nowhere else', () => {
    expect(chatLine(12, 3, 'bench12')).toMatch(/^bt12x3 /);
    expect(findTag(chatLine(12, 3, 'bench12'))).toEqual({ speaker: 12, line: 3 });
    expect(findTag(`<bench12> ${chatTag(7, 0)} from bench7`)).toEqual({ speaker: 7, line: 0 });
    expect(findTag('bench12 joined the room')).toBeUndefined();
    // A name or word that only contains the pattern is not a tag.
    expect(findTag('abt1x2 and bt1x2y')).toBeUndefined();
  });

  it('reads events as a JSON-socket client gets them (base64 JSON, NUL-framed), and nothing else', () => {
    const replies: JsonReply[] = [];
    const stream = new ReplyStream();
    const frames = [
      { type: 'event', kind: 'chat', msg: '<bench1> bt1x4 from bench1: hi', from: 'bench1', room: 'main', text: 'bt1x4 from bench1: hi', at: '2026-01-01T00:00:00.000Z' },
      { type: 'event', kind: 'chat', msg: '<bench2> bt2x0 hi', at: '2026-01-01T00:00:00.000Z' },
      { type: 'event', kind: 'join', msg: 'bench3 came in', from: 'bench3', at: '2026-01-01T00:00:00.000Z' },
      { type: 'prompt', msg: 'bt9x9 is not an event', pchar: '> ' },
    ];
    stream.push(Buffer.from(frames.map((f) => `${b64(f)}\0`).join(''), 'latin1'), (r) => replies.push(r), (e) => expect.fail(e));
    expect(replies.map(readEvent)).toEqual([
      { kind: 'chat', tag: { speaker: 1, line: 4 } },
      { kind: 'chat', tag: { speaker: 2, line: 0 } },
      { kind: 'join', tag: undefined },
      undefined,
    ]);
  });
});

describe('bench chat tally', () => {
  it('counts every line said in the window against the others in the room: received, lost, doubled, own echoes, unknown tags', () => {
    const tally = new ChatTally(4);
    tally.setRoom([true, true, true, true]);
    tally.said(0, 0, 0); // before the window: not measured
    tally.received(1, { speaker: 0, line: 0 }, 5);
    tally.openWindow(100);
    tally.said(0, 1, 100);
    tally.said(1, 0, 200);
    expect(tally.outstanding()).toBe(6);
    tally.acked(0, 1, 104);
    tally.acked(0, 0, 104); // said before the window: not counted
    tally.received(1, { speaker: 0, line: 1 }, 110);
    tally.received(2, { speaker: 0, line: 1 }, 120);
    tally.received(3, { speaker: 0, line: 1 }, 130);
    tally.received(3, { speaker: 0, line: 1 }, 140); // doubled
    tally.received(0, { speaker: 0, line: 1 }, 105); // its own line back
    tally.received(0, { speaker: 1, line: 0 }, 250);
    tally.received(2, { speaker: 1, line: 0 }, 300);
    tally.received(2, { speaker: 3, line: 9 }, 300); // never said
    tally.closeWindow();
    tally.received(3, { speaker: 1, line: 0 }, 1200); // after the window, still a measured line
    expect(tally.outstanding()).toBe(0);
    expect(tally.saidInWindow).toBe(2);
    // Deliveries while the window was open, by other callers, of any tagged line (the doubled one too).
    expect(tally.deliveredInWindow).toBe(6);
    expect(tally.result()).toEqual({ said: 2, refused: 0, roomSize: 4, expected: 6, received: 6, lost: 0, doubled: 1, ownEchoes: 1, unknownTags: 1, lostExamples: [] });
    expect(tally.latency.summary()).toMatchObject({ count: 6, max: 1000 });
    expect(tally.latency.percentiles([0.5, 0.99])).toEqual([30, 1000]);
    // Both measured lines were said in the window's first 5 s.
    expect(tally.slices.map((s) => s.count)).toEqual([6]);
    expect(tally.sayToAck.summary()).toMatchObject({ count: 1, max: 4 });
  });

  it('follows who received a probe line said before the window, without counting it as measured', () => {
    const tally = new ChatTally(3);
    tally.setRoom([true, true, true]);
    tally.said(0, 0, 0);
    tally.watch(0, 0);
    expect(tally.reached(0, 0)).toBe(0);
    tally.received(1, { speaker: 0, line: 0 }, 5);
    tally.received(1, { speaker: 0, line: 0 }, 6);
    expect(tally.reached(0, 0)).toBe(1);
    tally.received(2, { speaker: 0, line: 0 }, 7);
    expect(tally.reached(0, 0)).toBe(tally.room - 1);
    expect(tally.result()).toMatchObject({ said: 0, expected: 0, doubled: 0 });
    expect(tally.latency.count).toBe(0);
  });

  it('says which lines did not reach everyone, and expects nothing at a caller who lost the line', () => {
    const tally = new ChatTally(3);
    tally.setRoom([true, true, true]);
    tally.openWindow(0);
    tally.said(0, 0, 0);
    tally.received(1, { speaker: 0, line: 0 }, 10);
    expect(tally.outstanding()).toBe(1);
    expect(tally.result()).toMatchObject({ expected: 2, received: 1, lost: 1, lostExamples: ['bt0x0: 1 of 2'] });
    tally.leave(2);
    expect(tally.result()).toMatchObject({ roomSize: 2, expected: 1, received: 1, lost: 0, lostExamples: [] });
    // A line the flood limit refused (its speaker told) is expected nowhere.
    tally.said(1, 0, 20);
    expect(tally.outstanding()).toBe(1);
    tally.refused(1, 0);
    expect(tally.outstanding()).toBe(0);
    expect(tally.result()).toMatchObject({ said: 2, refused: 1, expected: 1, lost: 0 });
    tally.event('join');
    tally.event('join');
    expect(Object.fromEntries(tally.kinds)).toEqual({ join: 2 });
  });
});

describe('bench chat report', () => {
  it("divides the BBS's CPU over the window by the deliveries, leaving the bench's own out", () => {
    const seen = [
      { name: 'proxy', pid: 1 },
      { name: 'bbs.10', pid: 2 },
      { name: 'bench', pid: 3 },
    ];
    const from = new Map([
      [1, { rssBytes: 1, cpuSeconds: 1 }],
      [2, { rssBytes: 1, cpuSeconds: 2 }],
      [3, { rssBytes: 1, cpuSeconds: 0 }],
    ]);
    const to = new Map([
      [1, { rssBytes: 10, cpuSeconds: 2 }],
      [2, { rssBytes: 20, cpuSeconds: 3 }],
      [3, { rssBytes: 30, cpuSeconds: 5 }],
    ]);
    const cpu = chatCpu(seen, from, to, 10, 1000, 10, { busySeconds: 100, totalSeconds: 1000 }, { busySeconds: 110, totalSeconds: 1020 });
    expect(cpu.bbsCpuSeconds).toBe(2);
    expect(cpu.microsPerDelivery).toBe(2000);
    expect(cpu.microsPerLineSaid).toBe(200_000);
    expect(cpu.processes.map((p) => [p.name, p.cpuPercent])).toEqual([['proxy', 10], ['bbs.10', 10], ['bench', 50]]);
    // 10 s of CPU in 10 s of two cores: 100 % busy, 70 % of it ours, 30 % others'.
    expect(cpu.machine).toEqual({ cores: 2, busyPercent: 100, othersPercent: 30 });
    expect(chatCpu(seen, new Map(), to, 10, 1000, 10)).toMatchObject({ bbsCpuSeconds: null, microsPerDelivery: null });
  });

  it('prints the counts, the percentiles, the target and whether the bench kept up', () => {
    const report: ChatReport = {
      scenario: 'chat',
      startedAt: '2026-01-01T00:00:00.000Z',
      machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, node: 'v20', kernel: '6' },
      settings: { callers: 4 },
      callers: { dialled: 4, reachedMenu: 4, inRoom: 4, perNumber: { '@bbs.10': 2, '@bbs.11': 2 }, lost: 0, lostKinds: {}, joinSeconds: 1, settleSeconds: 0.5 },
      window: { seconds: 3, linesSaid: 2, linesPerSecond: 0.7, plannedLinesPerSecond: 0.8, delivered: 6, deliveriesPerSecond: 2 },
      deliveries: { said: 2, refused: 0, roomSize: 4, expected: 6, received: 6, lost: 0, doubled: 0, ownEchoes: 0, unknownTags: 0, lostExamples: [] },
      latencyMs: { count: 6, p50: 3, p95: 8, p99: 9, max: 9.5, mean: 4 },
      latencyBySliceMs: [{ fromSeconds: 0, count: 6, p50: 3, p99: 9, max: 9.5 }],
      sayToOwnPromptMs: { count: 2, p50: 1, p99: 2, max: 2, mean: 1.5 },
      target: { p99Ms: 100, met: true },
      cpu: { processes: [], bbsCpuSeconds: 0.1, microsPerDelivery: 16_667, microsPerLineSaid: 50_000, machine: { cores: 2, busyPercent: 150, othersPercent: 40 } },
      bench: { cpuPercent: 95, loopDelayP99Ms: 3, loopDelayMaxMs: 4, behind: true },
      unanswered: 0,
      drainSeconds: 0.1,
      database: { journalRowsInWindow: 12, journalRowsPerDelivery: 2, bytesAtEnd: 2 * 2 ** 20 },
      events: { chat: 6, join: 12 },
      errors: { total: 0, kinds: {} },
      serverProblems: [],
      profiles: [],
      totalSeconds: 9,
      stoppedBy: 'window',
      passed: true,
    };
    const table = formatChatReport(report);
    expect(table).toMatch(/deliveries expected\s+6 \(lines said x the 3 others in the room\)/);
    expect(table).toMatch(/deliveries received\s+6; lost 0 \(not received 0.1 s after the last line\), doubled 0/);
    expect(table).toMatch(/say to receipt\s+p50 3.0 {2}p95 8.0 {2}p99 9.0 {2}max 9.5 ms {2}\(6\)/);
    expect(table).toMatch(/said 0 s into the window\s+p50 3.0 {2}p99 9.0 {2}max 9.5 ms {2}\(6\)/);
    expect(table).toMatch(/the speaker's own prompt\s+p50 1.0 {2}p99 2.0 {2}max 2.0 ms {2}\(2\): its line stored and published/);
    expect(table).toMatch(/target p99 < 100 ms\s+met/);
    expect(table).toMatch(/the bench itself\s+BEHIND: its CPU 95 %/);
    expect(table).toContain('2 on @bbs.10, 2 on @bbs.11');
    expect(table).toMatch(/the machine\s+150 % busy of 200 % \(2 cores\); other work than the BBS and the bench: 40 % \(NOT a quiet machine/);
    expect(table).toMatch(/journal\s+12 rows written in the window \(2.00 per delivery\); database and WAL 2.0 MiB at the end/);
    expect(table).toMatch(/lines said\s+2 \(0.7 \/s, 0.8 \/s planned\); 0 refused/);
    expect(table).toContain('PASSED');
  });
});

describe('bench chat settings', () => {
  it('has 1,000 callers saying a line every 10 s by default, overridable, and takes no --target', () => {
    expect(parseBenchConfig(['--scenario', 'chat'])).toMatchObject({ scenario: 'chat', callers: 1000, thinkMs: 10_000, backends: 2, durationSeconds: 30 });
    expect(parseBenchConfig(['--scenario', 'chat', '--callers', '6', '--duration', '3', '--think', '300'])).toMatchObject({ callers: 6, durationSeconds: 3, thinkMs: 300 });
    expect(() => parseBenchConfig(['--scenario', 'chat', '--target', '127.0.0.1:6767'])).toThrow('--scenario chat dials the numbers of a BBS it starts');
    expect(() => parseBenchConfig(['--scenario', 'chat', '--think', '0'])).toThrow('expected 100 or more, got 0');
  });
});
