/** `m2bbs bench` flags: a scenario's preset, overridden flag by flag, validated all at once, loopback only. */
import { isIP } from 'node:net';
import type { ConfigProblems } from '../common/config-problems.js';
import { parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import { hasGdb } from './malloc-trim.js';
import type { WalkKind } from './walk.js';

export const SCENARIOS = ['custom', 'connected', 'idle', 'throughput', 'suspended', 'non-reading', 'failover', 'replay', 'upgrade', 'chat', 'vs-mongrel2'] as const;
export const COMPARED = ['echo', 'bbs'] as const;
export type Compared = (typeof COMPARED)[number];
export const UPGRADE_TRIGGERS = ['sighup', 'command'] as const;
export type UpgradeTrigger = (typeof UPGRADE_TRIGGERS)[number];
export type Scenario = (typeof SCENARIOS)[number];
export const DOORS = ['json', 'telnet', 'websocket', 'mixed'] as const;
export type DoorChoice = (typeof DOORS)[number];

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface BenchConfig {
  readonly scenario: Scenario;
  /** A BBS already running; undefined starts one. */
  readonly target: HostPort | undefined;
  readonly telnetTarget: HostPort | undefined;
  readonly door: DoorChoice;
  readonly route: string;
  readonly callers: number;
  readonly thinkMs: number;
  readonly idleAtMenu: boolean;
  /** Read each BBS process's RSS and live heap after a full garbage collection too, before the dial-in and at the window's end (bench/settled-memory.ts). */
  readonly settle: boolean;
  /** With --settle, glibc's malloc_trim(0) in each BBS process (through gdb) after the collection: the reading is what it holds. */
  readonly mallocTrim: boolean;
  readonly walk: WalkKind;
  readonly durationSeconds: number;
  readonly dialsPerSecond: number;
  readonly maxSeconds: number;
  readonly backends: number;
  readonly maxCallers: number;
  readonly names: string;
  readonly signUps: number;
  readonly pids: readonly { readonly name: string; readonly pid: number }[];
  readonly baselines: boolean;
  readonly baselineSeconds: number;
  readonly sessions: number;
  readonly json: string | undefined;
  readonly profileDir: string | undefined;
  /** The proxy's cap on output held for one caller; undefined leaves the proxy's default. */
  readonly maxOutputBytes: number | undefined;
  /** Whether the backends of a BBS it starts journal their conversations (m2bbs start --journal). */
  readonly journal: 'on' | 'off';
  /** The ZeroMQ transport of the raw baseline and of the BBS it starts (curve: the baseline only). */
  readonly zmq: 'ipc' | 'tcp' | 'curve';
  /** Failover: backends to SIGKILL, and the mean pause before each kill once all are up. */
  readonly kills: number;
  readonly killPauseMs: number;
  /** Replay: journal rows per replayed conversation. */
  readonly replayRows: number;
  /** Upgrade: how the rolling upgrade is asked for (SIGHUP to m2bbs start, or `m2bbs upgrade`). */
  readonly trigger: UpgradeTrigger;
  /** Upgrade: handler processes on one Mongrel2 send_spec, one run each (empty: no such runs). */
  readonly sharedHandlers: readonly number[];
  /** Upgrade: callers walking through Mongrel2 in each shared-send_spec run, and their pause. */
  readonly sharedCallers: number;
  readonly sharedThinkMs: number;
  /** vs-mongrel2: rounds of each server, the handlers compared, idle connections for the memory reading. */
  readonly rounds: number;
  readonly compare: readonly Compared[];
  readonly idleConnections: number;
}

/** The flags of `m2bbs bench`; a flag without a default here takes the scenario's. */
export const BENCH_FLAGS = {
  scenario: { kind: 'string', arg: 'NAME', choices: SCENARIOS, defaultText: 'custom', help: 'a preset (see below); the flags below override it' },
  target: {
    kind: 'string',
    arg: 'HOST:PORT',
    help: "a running BBS's JSON-socket/WebSocket port; without it the bench starts one (m2bbs start) on a fresh database and stops it after",
  },
  'telnet-target': { kind: 'string', arg: 'H:P', help: "that BBS's telnet port (needed for --door telnet with --target)" },
  door: { kind: 'string', arg: 'DOOR', choices: DOORS, default: 'json', help: 'json, telnet, websocket or mixed (in turn)' },
  route: { kind: 'string', arg: 'ROUTE', default: '@bbs', help: 'what JSON-socket callers dial' },
  callers: { kind: 'integer', arg: 'N', min: 1, max: 25_000, defaultText: "the scenario's", help: 'simulated callers' },
  think: { kind: 'integer', arg: 'MS', min: 0, max: 600_000, defaultText: "the scenario's", help: 'mean pause before each line (0.5x to 1.5x); 0 types at once' },
  'idle-at-menu': { kind: 'boolean', help: 'callers stop typing once at the main menu' },
  settle: { kind: 'boolean', help: "read each process of the BBS it starts after a full garbage collection too (through its inspector), before the dial-in and at the window's end; on in the idle scenario" },
  'malloc-trim': { kind: 'boolean', help: "with the settled reading, also call glibc's malloc_trim(0) in each process (through gdb, which must be installed) so that free memory malloc kept is given back and the reading is what the process holds" },
  walk: {
    kind: 'string',
    arg: 'WALK',
    choices: ['menu', 'enter'],
    default: 'menu',
    help: 'menu: read, post, read, read mail, send mail, over and over; enter: only Enter at the menu (one reply, no database)',
  },
  duration: { kind: 'integer', arg: 'S', min: 1, max: 3600, defaultText: "the scenario's", help: 'the measuring window, once every caller is at the menu' },
  'dial-rate': { kind: 'integer', arg: 'N', min: 1, max: 100_000, defaultText: "the scenario's", help: 'callers dialled per second' },
  'max-seconds': { kind: 'integer', arg: 'S', min: 5, max: 24 * 3600, defaultText: 'worked out', help: 'stop after this long whatever happens' },
  backends: { kind: 'integer', arg: 'N', min: 1, max: 90, default: 2, help: 'backends of the BBS it starts' },
  'max-callers': { kind: 'integer', arg: 'M', min: 1, max: 100_000, defaultText: 'enough', help: 'lines per backend of the BBS it starts' },
  names: { kind: 'string', arg: 'PREFIX', default: 'bench', help: 'callers are PREFIX0, PREFIX1, ...' },
  'sign-ups': { kind: 'integer', arg: 'N', min: 0, max: 1000, default: 4, help: 'callers who sign up at the real scrypt cost' },
  pid: { kind: 'string', arg: 'NAME=PID', multiple: true, help: 'a process of a --target BBS to report memory and CPU of (repeatable)' },
  baselines: { kind: 'string', arg: 'on|off', choices: ['on', 'off'], default: 'on', help: 'the raw ZeroMQ and backend-alone baselines' },
  'baseline-seconds': { kind: 'integer', arg: 'S', min: 1, max: 600, default: 3, help: 'how long each baseline measures' },
  sessions: { kind: 'integer', arg: 'N', min: 1, max: 5_000_000, default: 100_000, help: 'suspended conversations (idle, suspended); conversations replayed (replay)' },
  journal: { kind: 'string', arg: 'on|off', choices: ['on', 'off'], default: 'on', help: 'journal conversations in the backends of the BBS it starts (m2bbs start --journal)' },
  zmq: {
    kind: 'string',
    arg: 'ipc|tcp|curve',
    choices: ['ipc', 'tcp', 'curve'],
    default: 'ipc',
    help: 'the ZeroMQ transport of the raw ZeroMQ baseline, and of the BBS it starts (m2bbs start --zmq: with curve its local backends are on loopback tcp with CURVE, so the whole BBS pays for it)',
  },
  kills: { kind: 'integer', arg: 'N', min: 1, max: 100_000, default: 100, help: 'failover: backends to SIGKILL' },
  'kill-pause': { kind: 'integer', arg: 'MS', min: 0, max: 600_000, default: 100, help: 'failover: mean pause before each kill, once every backend is up' },
  'replay-rows': { kind: 'integer', arg: 'N', min: 1, max: 100_000, default: 200, help: 'replay: journal rows each replayed conversation has' },
  trigger: { kind: 'string', arg: 'HOW', choices: UPGRADE_TRIGGERS, default: 'sighup', help: 'upgrade: SIGHUP to m2bbs start, or the m2bbs upgrade command (control socket)' },
  'shared-handlers': {
    kind: 'string',
    arg: 'LIST',
    default: '1,2,4',
    help: "upgrade: m2bbs handler processes on one real Mongrel2 send_spec, a run for each (comma-separated; 'none' skips them)",
  },
  'shared-callers': { kind: 'integer', arg: 'N', min: 1, max: 5000, default: 50, help: 'upgrade: callers walking the menu through Mongrel2 in each shared-send_spec run' },
  'shared-think': { kind: 'integer', arg: 'MS', min: 0, max: 600_000, default: 0, help: 'upgrade: their mean pause before each line (0: as fast as they are answered)' },
  rounds: { kind: 'integer', arg: 'N', min: 1, max: 100, default: 3, help: 'vs-mongrel2: rounds of each server, taken in turn' },
  compare: {
    kind: 'string',
    arg: 'LIST',
    default: 'echo,bbs',
    help: 'vs-mongrel2: the handlers put behind both servers, comma-separated: echo (a foreign Mongrel2 handler replying a constant prompt) and bbs (an m2bbs backend, menu walk)',
  },
  'idle-connections': { kind: 'integer', arg: 'N', min: 0, max: 20_000, default: 2000, help: "vs-mongrel2: idle connections held against each server (echo handler) for its memory per connection; 0 skips it" },
  json: { kind: 'string', arg: 'FILE', help: 'also write the JSON report to FILE' },
  profile: { kind: 'string', arg: 'DIR', help: "CPU-profile the BBS it starts (node --cpu-prof) into DIR, and print each process's hottest functions" },
  'max-output-bytes': {
    kind: 'integer',
    arg: 'N',
    min: 4096,
    max: 1024 * 1024 * 1024,
    env: 'M2BBS_MAX_OUTPUT_BYTES',
    defaultText: "the proxy's (1 MiB)",
    help: 'the cap on output the proxy of the BBS it starts holds for one caller who is not reading (m2bbs start --max-output-bytes)',
  },
} as const satisfies FlagTable;

/** What `m2bbs bench --help` prints, generated from its flag table. */
export const BENCH_USAGE = usageText(
  'm2bbs bench [flags]      (npm run bench -- [flags])',
  `Simulates callers against a BBS and reports inputs per second answered, the round trip from a
line to the next prompt, connection set-up, errors, busy signals and memory per caller, with
baselines measured in the same run. Only ever calls this machine (loopback).`,
  BENCH_FLAGS,
  `Scenarios (--scenario):
  custom      20 callers, a line every second, 10 s
  connected   10,000 callers, a line every 3 s, 60 s
  idle        10,000 callers silent at the menu; memory per caller, and heap per suspended
              conversation (in-process)
  throughput  50 callers typing as fast as they are answered, 20 s
  suspended   heap per suspended conversation only (--sessions)
  non-reading 10 callers log in, stop reading and ask for a page of the board every 50 ms
              (--think), 40 s, beside one caller who reads; the proxy's memory, the callers it
              closed and the reader's round trip (--max-output-bytes sets the proxy's cap)
  failover    50 callers walking the menu (posts and mails of several lines) while --kills
              (100) random backends are SIGKILLed; lost sessions, lost and doubled writes
              (exit 1 unless all are 0) and the time from a kill to the next prompt
  upgrade     200 callers walking the menu on 2 backends while both are upgraded in turn
              (--trigger); dropped callers, lost and doubled inputs and writes (exit 1 unless
              all are 0), callers moved, the moved input's round trip against the others and
              each backend's upgrade time; then, with real Mongrel2 (mongrel2-core), 1, 2 and 4
              m2bbs handlers on one send_spec (--shared-handlers, --shared-callers,
              --shared-think, --duration): inputs/s and takeovers (replays) per input
  chat        1,000 callers spread over the numbers (each dials @bbs.10, @bbs.11... by name),
              all in the chat room, each saying a tagged line every 10 s (--think), 30 s:
              lines said, deliveries expected and received (lost, doubled), the time from
              a line typed to each other caller's receipt (p50, p95, p99, max), and the
              CPU of the BBS per delivered line; the bench's own CPU and lag are reported
  vs-mongrel2 real Mongrel2 (mongrel2-core) and the m2bbs proxy side by side, the same handler
              behind each: the foreign echo handler (one message per ZeroMQ frame, as Mongrel2
              sends), then one m2bbs backend walking the menu (--compare); 50 callers typing
              as fast as they are answered, --rounds (3) windows of --duration (10 s) on each,
              alternating; inputs/s, round trip, CPU per input of server and handler, and each
              server's RSS with no caller and per idle connection (--idle-connections); both
              sides and their ratios with the spread over the rounds
  replay      the cost of replaying a journal in one in-process backend: --sessions (1,000)
              conversations at the main menu and as many --replay-rows deep in a message,
              taken over and rebuilt

Accounts: on a BBS it starts, callers' accounts are put in the database first with a cheap
scrypt cost, so logins cost microseconds; the --sign-ups callers pay the real cost. Against
--target every caller signs up or logs in at that BBS's cost.`,
);

interface Preset {
  readonly callers: number;
  readonly thinkMs: number;
  readonly idleAtMenu: boolean;
  readonly durationSeconds: number;
  readonly dialsPerSecond: number;
}

const PRESETS: Readonly<Record<Exclude<Scenario, 'suspended' | 'replay'>, Preset>> = {
  chat: { callers: 1000, thinkMs: 10_000, idleAtMenu: false, durationSeconds: 30, dialsPerSecond: 200 },
  upgrade: { callers: 200, thinkMs: 200, idleAtMenu: false, durationSeconds: 10, dialsPerSecond: 200 },
  failover: { callers: 50, thinkMs: 50, idleAtMenu: false, durationSeconds: 10, dialsPerSecond: 200 },
  'non-reading': { callers: 10, thinkMs: 50, idleAtMenu: false, durationSeconds: 40, dialsPerSecond: 100 },
  custom: { callers: 20, thinkMs: 1000, idleAtMenu: false, durationSeconds: 10, dialsPerSecond: 200 },
  connected: { callers: 10_000, thinkMs: 3000, idleAtMenu: false, durationSeconds: 60, dialsPerSecond: 500 },
  idle: { callers: 10_000, thinkMs: 0, idleAtMenu: true, durationSeconds: 5, dialsPerSecond: 500 },
  throughput: { callers: 50, thinkMs: 0, idleAtMenu: false, durationSeconds: 20, dialsPerSecond: 1000 },
  'vs-mongrel2': { callers: 50, thinkMs: 0, idleAtMenu: false, durationSeconds: 10, dialsPerSecond: 1000 },
};

/** Parses and validates `m2bbs bench` flags, reporting every problem at once. */
export function parseBenchConfig(argv: readonly string[], env: NodeJS.ProcessEnv = {}): BenchConfig {
  const { values, problems, sources } = parseTable('m2bbs bench', BENCH_USAGE, BENCH_FLAGS, argv, env);
  // --sessions alone keeps meaning what it always did: the suspended-conversation heap.
  const scenario = values.scenario ?? (sources.sessions !== undefined ? 'suspended' : 'custom');
  const preset = PRESETS[scenario === 'suspended' || scenario === 'replay' ? 'custom' : scenario];
  const target = values.target === undefined ? undefined : loopback(problems, 'target', values.target);
  const telnetTarget = values['telnet-target'] === undefined ? undefined : loopback(problems, 'telnet-target', values['telnet-target']);
  const { door, route, backends, names } = values;
  if (target !== undefined && telnetTarget === undefined && (door === 'telnet' || door === 'mixed')) problems.add(`--door ${door} with --target needs --telnet-target HOST:PORT`);
  if (!/^@[A-Za-z0-9._/-]{1,64}$/.test(route)) problems.add(`--route: expected a route like @bbs or @bbs.10, got "${route}"`);
  const callers = values.callers ?? preset.callers;
  const thinkMs = values.think ?? preset.thinkMs;
  const durationSeconds = values.duration ?? preset.durationSeconds;
  const dialsPerSecond = values['dial-rate'] ?? preset.dialsPerSecond;
  const maxCallers = values['max-callers'] ?? Math.ceil((callers * 1.2) / backends) + 10;
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,11}$/.test(names)) problems.add(`--names: expected 1 to 12 letters, digits, _ or -, starting with a letter, got "${names}"`);
  const signUps = Math.min(callers, values['sign-ups']);
  const pids = values.pid.flatMap((spec) => {
    const match = /^([A-Za-z0-9_.-]+)=(\d+)$/.exec(spec);
    if (match === null) {
      problems.add(`--pid: expected NAME=PID such as proxy=1234, got "${spec}"`);
      return [];
    }
    return [{ name: match[1] as string, pid: Number(match[2]) }];
  });
  if (pids.length > 0 && target === undefined) problems.add('--pid is for a --target BBS; a BBS the bench starts is followed by itself');
  const rampSeconds = callers / dialsPerSecond;
  const loginSeconds = 30 + (thinkMs * 8) / 1000;
  // A failover run lasts as long as its kills (about a second each), and then the last answers.
  const sharedHandlers = handlerCounts(problems, values['shared-handlers']);
  // An upgrade starts two processes and waits out the moves (about 30 s a backend at most), and
  // each shared run starts Mongrel2 and its handlers, logs its callers in and measures.
  const upgradeSeconds = backends * 40 + 30 + sharedHandlers.length * (durationSeconds + 60);
  // A chat run waits for the joins to stop (up to a minute) and a probe line to reach everyone
  // (up to two), warms up (5 s) and drains (20 s).
  const chatSeconds = durationSeconds + 210;
  const compare = comparedHandlers(problems, values.compare);
  // Each window opens once the callers are in (seconds), each part starts and stops two servers
  // and holds its idle connections (a minute at most).
  const vsSeconds = compare.length * (values.rounds * 2 * (durationSeconds + 15) + 90);
  const runSeconds = scenario === 'failover' ? values.kills * (3 + values['kill-pause'] / 1000) + 30 : scenario === 'upgrade' ? upgradeSeconds : scenario === 'chat' ? chatSeconds : scenario === 'vs-mongrel2' ? vsSeconds : durationSeconds;
  const maxSeconds = values['max-seconds'] ?? Math.ceil(rampSeconds + loginSeconds + runSeconds + 30);
  if (values.profile !== undefined && target !== undefined) problems.add('--profile profiles a BBS the bench starts, not a --target');
  if (scenario === 'non-reading' && target !== undefined) problems.add('--scenario non-reading follows the proxy of a BBS it starts; it takes no --target');
  if (scenario === 'failover' && target !== undefined) problems.add('--scenario failover kills the backends of a BBS it starts; it takes no --target');
  if (scenario === 'upgrade' && target !== undefined) problems.add('--scenario upgrade upgrades the backends of a BBS it starts; it takes no --target');
  if (scenario === 'chat' && thinkMs < 100) problems.add(`--think: the chat scenario's callers say a line every --think ms on their own schedule; expected 100 or more, got ${thinkMs}`);
  if (scenario === 'chat' && target !== undefined) problems.add('--scenario chat dials the numbers of a BBS it starts and follows its processes; it takes no --target');
  if (scenario === 'vs-mongrel2' && target !== undefined) problems.add('--scenario vs-mongrel2 starts both servers itself (Mongrel2 and the m2bbs proxy); it takes no --target');
  if (scenario === 'vs-mongrel2' && door !== 'json') problems.add(`--scenario vs-mongrel2 calls over JSON sockets, the door both servers have; got --door ${door}`);
  if (sources.journal !== undefined && target !== undefined) problems.add('--journal sets the backends of a BBS the bench starts, not a --target');
  // The environment variable may be set for other runs; only the flag is a mistake with --target.
  if (sources['max-output-bytes'] === '--max-output-bytes' && target !== undefined) problems.add('--max-output-bytes sets the proxy of a BBS the bench starts, not a --target');
  if (values['malloc-trim'] && !values.settle && scenario !== 'idle') problems.add('--malloc-trim goes with the settled reading: add --settle (on in the idle scenario)');
  if (values['malloc-trim'] && target !== undefined) problems.add('--malloc-trim trims the processes of a BBS the bench starts, not a --target');
  if (values['malloc-trim'] && !hasGdb()) problems.add('--malloc-trim calls malloc_trim through gdb, which is not installed (apt-get install gdb)');
  problems.check('m2bbs bench');
  return Object.freeze({
    scenario,
    target,
    telnetTarget,
    door,
    route,
    callers,
    thinkMs,
    idleAtMenu: values['idle-at-menu'] || preset.idleAtMenu,
    settle: values.settle || scenario === 'idle',
    mallocTrim: values['malloc-trim'],
    walk: values.walk,
    durationSeconds,
    dialsPerSecond,
    maxSeconds,
    backends,
    maxCallers,
    names,
    signUps,
    pids,
    baselines: values.baselines === 'on',
    baselineSeconds: values['baseline-seconds'],
    // A replay takes over each conversation built: 1,000 of each kind is plenty.
    sessions: scenario === 'replay' && sources.sessions === undefined ? 1000 : values.sessions,
    json: values.json,
    profileDir: values.profile,
    maxOutputBytes: values['max-output-bytes'],
    journal: values.journal,
    zmq: values.zmq,
    kills: values.kills,
    killPauseMs: values['kill-pause'],
    replayRows: values['replay-rows'],
    trigger: values.trigger,
    sharedHandlers,
    sharedCallers: values['shared-callers'],
    sharedThinkMs: values['shared-think'],
    rounds: values.rounds,
    compare,
    idleConnections: values['idle-connections'],
  });
}

/** Parses `echo,bbs` (either or both, each once). */
function comparedHandlers(problems: ConfigProblems, spec: string): Compared[] {
  const names = spec.split(',');
  if (names.length === 0 || names.some((n) => !(COMPARED as readonly string[]).includes(n)) || new Set(names).size !== names.length) {
    problems.add(`--compare: expected echo, bbs or echo,bbs, got "${spec}"`);
    return [];
  }
  return names as Compared[];
}

/** Parses `1,2,4` (or `none`) into handler counts from 1 to 16. */
function handlerCounts(problems: ConfigProblems, spec: string): number[] {
  if (spec === 'none') return [];
  const counts = spec.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) {
    problems.add(`--shared-handlers: expected handler counts from 1 to 16 such as 1,2,4, or none, got "${spec}"`);
    return [];
  }
  return counts;
}

/** Parses HOST:PORT and refuses anything that is not this machine: the bench never loads someone else's server. */
function loopback(problems: ConfigProblems, flag: string, spec: string): HostPort | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(spec);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (match === null || host === undefined || !(port >= 1 && port <= 65535)) {
    problems.add(`--${flag}: expected HOST:PORT such as 127.0.0.1:6767, got "${spec}"`);
    return undefined;
  }
  if (!isLoopback(host)) {
    problems.add(`--${flag}: ${host} is not this machine; m2bbs bench only calls loopback (127.0.0.0/8, ::1, localhost)`);
    return undefined;
  }
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped forms) and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) {
    const lower = host.toLowerCase();
    return lower === '::1' || /^(0{0,4}:){0,5}:?(ffff:)?127\.\d+\.\d+\.\d+$/.test(lower) || /^(0{1,4}:){7}0{0,3}1$/.test(lower);
  }
  return false;
}
