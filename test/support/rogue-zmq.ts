/**
 * A rogue local process on a BBS's ZeroMQ endpoints, as another user would run it: a PULL on the
 * requests endpoint (to steal callers' input), a PUB on the replies endpoint (to forge prompts and
 * hang-ups) and a SUB on both, each watched by its socket monitor. It is python3-zmq, so it runs
 * as user `nobody` without reading this checkout; it reports monitor events and messages received
 * as JSON lines, and forges replies when told.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const SCRIPT = String.raw`
import json, sys, zmq
from zmq.utils.monitor import recv_monitor_message
requests, replies = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
def say(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
names = {}
for attr in dir(zmq):
    if attr.startswith("EVENT_") and attr not in ("EVENT_ALL", "EVENT_ALL_V1", "EVENT_ALL_V2"):
        names.setdefault(getattr(zmq, attr), attr[6:].lower().replace("_", "-"))
socks = {"pull": ctx.socket(zmq.PULL), "pub": ctx.socket(zmq.PUB), "sub": ctx.socket(zmq.SUB)}
socks["sub"].setsockopt(zmq.SUBSCRIBE, b"")
monitors = {}
for name, s in socks.items():
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RECONNECT_IVL, 50)
    monitors[name] = s.get_monitor_socket()
socks["pull"].connect(requests)
socks["pub"].connect(replies)
socks["sub"].connect(requests)
socks["sub"].connect(replies)
poller = zmq.Poller()
for m in monitors.values(): poller.register(m, zmq.POLLIN)
poller.register(socks["pull"], zmq.POLLIN)
poller.register(socks["sub"], zmq.POLLIN)
poller.register(sys.stdin.fileno(), zmq.POLLIN)
received = 0
while True:
    for item, _ in poller.poll():
        if item is socks["pull"] or item is socks["sub"]:
            parts = item.recv_multipart()
            received += 1
            say({"received": received, "bytes": sum(len(p) for p in parts)})
        elif item == sys.stdin.fileno():
            line = sys.stdin.readline().strip()
            if line == "":
                sys.exit(0)
            if line == "forge":
                sent = 0
                for conn in range(1, 51):
                    ids = str(conn).encode()
                    prompt = json.dumps({"type": "prompt", "msg": "FORGED: type your password again", "pchar": "> "}).encode()
                    for body in (prompt, b""):
                        socks["pub"].send(b"rogue %d:%s, %s" % (len(ids), ids, body))
                        sent += 1
                say({"forged": sent})
            if line == "report":
                say({"report": received})
        else:
            name = next(n for n, m in monitors.items() if m is item)
            event = recv_monitor_message(item)
            say({"socket": name, "event": names.get(event["event"], str(event["event"])), "endpoint": event["endpoint"].decode()})
`;

/** One line the rogue printed. */
export type RogueReport = Readonly<Record<string, unknown>>;

/** The rogue process and what it has reported so far. */
export class RogueZmq {
  readonly reports: RogueReport[] = [];
  stderr = '';
  private readonly watchers = new Set<() => void>();

  private constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.reports.push(JSON.parse(line) as RogueReport);
      for (const watch of this.watchers) watch();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    child.on('exit', () => {
      for (const watch of this.watchers) watch();
    });
  }

  /** Starts the rogue on `requests` and `replies`, as user `nobody` when `asNobody` is given. */
  static start(requests: string, replies: string, asNobody: boolean): RogueZmq {
    const child = spawn(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', SCRIPT, requests, replies], { stdio: ['pipe', 'pipe', 'pipe'], ...(asNobody ? { uid: 65534, gid: 65534, cwd: '/' } : {}) });
    return new RogueZmq(child);
  }

  /** Resolves with the first report `match` accepts (past or future); rejects if the rogue exits first. */
  waitFor(match: (report: RogueReport) => boolean, what: string): Promise<RogueReport> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.reports.find(match);
        if (found !== undefined) {
          this.watchers.delete(check);
          resolve(found);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          this.watchers.delete(check);
          reject(new Error(`the rogue exited before ${what}; stderr:\n${this.stderr}`));
        }
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Forges a prompt and a hang-up to each connection id 1..50; resolves once they are sent. */
  async forge(): Promise<void> {
    this.child.stdin?.write('forge\n');
    await this.waitFor((r) => r.forged !== undefined, 'forging');
  }

  /** How many messages the rogue's PULL and SUB have received, as it says now. */
  async received(): Promise<number> {
    const before = this.reports.length;
    this.child.stdin?.write('report\n');
    const report = await this.waitFor((r) => this.reports.indexOf(r) >= before && r.report !== undefined, 'its report');
    return Number(report.report);
  }

  /** Stops the rogue. */
  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
