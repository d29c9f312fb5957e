/** `m2bbs bench` flags: a scenario's preset, overridden flag by flag, validated all at once, loopback only. */
import { isIP } from 'node:net';
import { ConfigProblems, parseFlags } from '../common/config-problems.js';
import type { WalkKind } from './walk.js';

export const SCENARIOS = ['custom', 'connected', 'idle', 'throughput', 'suspended'] as const;
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
}

export const BENCH_USAGE = `Usage: m2bbs bench [flags]      (npm run bench -- [flags])

Simulates callers against a BBS and reports inputs per second answered, the round trip from a
line to the next prompt, connection set-up, errors, busy signals and memory per caller, with
baselines measured in the same run. Only ever calls this machine (loopback).

  --scenario NAME        a preset; flags below override it              (default custom)
                           custom      20 callers, a line every second, 10 s
                           connected   10,000 callers, a line every 3 s, 60 s
                           idle        10,000 callers silent at the menu; memory per caller,
                                       and heap per suspended conversation (in-process)
                           throughput  50 callers typing as fast as they are answered, 20 s
                           suspended   heap per suspended conversation only (--sessions)
  --target HOST:PORT     a running BBS's JSON-socket/WebSocket port; without it the bench
                         starts one (m2bbs start) on a fresh database and stops it after
  --telnet-target H:P    that BBS's telnet port (needed for --door telnet with --target)
  --door DOOR            json, telnet, websocket or mixed (in turn)     (default json)
  --route ROUTE          what JSON-socket callers dial                  (default @bbs)
  --callers N            simulated callers
  --think MS             mean pause before each line (0.5x to 1.5x); 0 types at once
  --idle-at-menu         callers stop typing once at the main menu
  --walk WALK            menu: read, post, read, read mail, send mail, over and over;
                         enter: only Enter at the menu (one reply, no database)  (default menu)
  --duration S           the measuring window, once every caller is at the menu
  --dial-rate N          callers dialled per second
  --max-seconds S        stop after this long whatever happens          (default: worked out)
  --backends N           backends of the BBS it starts                  (default 2)
  --max-callers M        lines per backend of the BBS it starts         (default: enough)
  --names PREFIX         callers are PREFIX0, PREFIX1, ...              (default bench)
  --sign-ups N           callers who sign up at the real scrypt cost    (default 4)
  --pid NAME=PID         a process of a --target BBS to report memory and CPU of (repeatable)
  --baselines on|off     the raw ZeroMQ and backend-alone baselines     (default on)
  --baseline-seconds S   how long each baseline measures                (default 3)
  --sessions N           suspended conversations (idle, suspended)      (default 100000)
  --json FILE            also write the JSON report to FILE
  --profile DIR          CPU-profile the BBS it starts (node --cpu-prof) into DIR, and
                         print each process's hottest functions
  -h, --help             this text

Accounts: on a BBS it starts, callers' accounts are put in the database first with a cheap
scrypt cost, so logins cost microseconds; the --sign-ups callers pay the real cost. Against
--target every caller signs up or logs in at that BBS's cost.`;

interface Preset {
  readonly callers: number;
  readonly thinkMs: number;
  readonly idleAtMenu: boolean;
  readonly durationSeconds: number;
  readonly dialsPerSecond: number;
}

const PRESETS: Readonly<Record<Exclude<Scenario, 'suspended'>, Preset>> = {
  custom: { callers: 20, thinkMs: 1000, idleAtMenu: false, durationSeconds: 10, dialsPerSecond: 200 },
  connected: { callers: 10_000, thinkMs: 3000, idleAtMenu: false, durationSeconds: 60, dialsPerSecond: 500 },
  idle: { callers: 10_000, thinkMs: 0, idleAtMenu: true, durationSeconds: 5, dialsPerSecond: 500 },
  throughput: { callers: 50, thinkMs: 0, idleAtMenu: false, durationSeconds: 20, dialsPerSecond: 1000 },
};

/** Parses and validates `m2bbs bench` flags, reporting every problem at once. */
export function parseBenchConfig(argv: readonly string[]): BenchConfig {
  const values = parseFlags('m2bbs bench', BENCH_USAGE, argv, {
    scenario: { type: 'string' },
    target: { type: 'string' },
    'telnet-target': { type: 'string' },
    door: { type: 'string' },
    route: { type: 'string' },
    callers: { type: 'string' },
    think: { type: 'string' },
    'idle-at-menu': { type: 'boolean' },
    walk: { type: 'string' },
    duration: { type: 'string' },
    'dial-rate': { type: 'string' },
    'max-seconds': { type: 'string' },
    backends: { type: 'string' },
    'max-callers': { type: 'string' },
    names: { type: 'string' },
    'sign-ups': { type: 'string' },
    pid: { type: 'string', multiple: true },
    baselines: { type: 'string' },
    'baseline-seconds': { type: 'string' },
    sessions: { type: 'string' },
    json: { type: 'string' },
    profile: { type: 'string' },
  });
  const problems = new ConfigProblems();
  // --sessions alone keeps meaning what it always did: the suspended-conversation heap.
  const scenario = oneOf(problems, 'scenario', values.scenario ?? (values.sessions !== undefined ? 'suspended' : 'custom'), SCENARIOS);
  const preset = PRESETS[scenario === 'suspended' ? 'custom' : scenario];
  const target = values.target === undefined ? undefined : loopback(problems, 'target', values.target);
  const telnetTarget = values['telnet-target'] === undefined ? undefined : loopback(problems, 'telnet-target', values['telnet-target']);
  const door = oneOf(problems, 'door', values.door ?? 'json', DOORS);
  if (target !== undefined && telnetTarget === undefined && (door === 'telnet' || door === 'mixed')) problems.add(`--door ${door} with --target needs --telnet-target HOST:PORT`);
  const route = values.route ?? '@bbs';
  if (!/^@[A-Za-z0-9._/-]{1,64}$/.test(route)) problems.add(`--route: expected a route like @bbs or @bbs.10, got "${route}"`);
  const callers = problems.integer('callers', values.callers, preset.callers, 1, 25_000);
  const thinkMs = problems.integer('think', values.think, preset.thinkMs, 0, 600_000);
  const walk = oneOf(problems, 'walk', values.walk ?? 'menu', ['menu', 'enter'] as const);
  const durationSeconds = problems.integer('duration', values.duration, preset.durationSeconds, 1, 3600);
  const dialsPerSecond = problems.integer('dial-rate', values['dial-rate'], preset.dialsPerSecond, 1, 100_000);
  const backends = problems.integer('backends', values.backends, 2, 1, 90);
  const maxCallers = problems.integer('max-callers', values['max-callers'], Math.ceil((callers * 1.2) / backends) + 10, 1, 100_000);
  const names = values.names ?? 'bench';
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,11}$/.test(names)) problems.add(`--names: expected 1 to 12 letters, digits, _ or -, starting with a letter, got "${names}"`);
  const signUps = Math.min(callers, problems.integer('sign-ups', values['sign-ups'], 4, 0, 1000));
  const pids = (values.pid ?? []).flatMap((spec) => {
    const match = /^([A-Za-z0-9_.-]+)=(\d+)$/.exec(spec);
    if (match === null) {
      problems.add(`--pid: expected NAME=PID such as proxy=1234, got "${spec}"`);
      return [];
    }
    return [{ name: match[1] as string, pid: Number(match[2]) }];
  });
  if (pids.length > 0 && target === undefined) problems.add('--pid is for a --target BBS; a BBS the bench starts is followed by itself');
  const baselines = oneOf(problems, 'baselines', values.baselines ?? 'on', ['on', 'off'] as const) === 'on';
  const baselineSeconds = problems.integer('baseline-seconds', values['baseline-seconds'], 3, 1, 600);
  const sessions = problems.integer('sessions', values.sessions, 100_000, 1, 5_000_000);
  const rampSeconds = callers / dialsPerSecond;
  const loginSeconds = 30 + (thinkMs * 8) / 1000;
  const maxSeconds = problems.integer('max-seconds', values['max-seconds'], Math.ceil(rampSeconds + loginSeconds + durationSeconds + 30), 5, 24 * 3600);
  if (values.profile !== undefined && target !== undefined) problems.add('--profile profiles a BBS the bench starts, not a --target');
  problems.check('m2bbs bench');
  return Object.freeze({
    scenario,
    target,
    telnetTarget,
    door,
    route,
    callers,
    thinkMs,
    idleAtMenu: values['idle-at-menu'] ?? preset.idleAtMenu,
    walk,
    durationSeconds,
    dialsPerSecond,
    maxSeconds,
    backends,
    maxCallers,
    names,
    signUps,
    pids,
    baselines,
    baselineSeconds,
    sessions,
    json: values.json,
    profileDir: values.profile,
  });
}

function oneOf<T extends string>(problems: ConfigProblems, flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.add(`--${flag}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return allowed[0] as T;
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
