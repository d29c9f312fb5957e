/**
 * An HTTP client that stops reading: a python3 process (Node cannot shrink a TCP socket's receive
 * buffer) with a 2 KiB receive window that pipelines requests and never reads past a peek. It
 * prints `began <first line of the answer>` once bytes arrive, and `closed <how>` when the server
 * closes or resets the connection (seen by poll, which reports a reset even while unread bytes wait).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = String.raw`
import select, socket, sys
port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.connect(("127.0.0.1", port))
s.sendall(b"".join(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" for _ in range(count)))
print("sent", count, flush=True)
p = select.poll(); p.register(s, select.POLLIN | select.POLLERR | select.POLLHUP | select.POLLRDHUP)
began = False
while True:
    for _, ev in p.poll():
        if ev & (select.POLLERR | select.POLLHUP | select.POLLRDHUP):
            print("closed", "reset" if ev & select.POLLERR else "hang-up", flush=True); sys.exit(0)
        if not began:
            print("began", s.recv(64, socket.MSG_PEEK).split(b"\r\n")[0].decode("latin1"), flush=True); began = True
            p.modify(s, select.POLLERR | select.POLLHUP | select.POLLRDHUP)
`;

/** The client process and the lines it printed. */
export class NonReadingClient {
  readonly lines: string[] = [];
  private readonly watchers = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      this.lines.push(...lines);
      for (const watch of this.watchers) watch();
    });
  }

  /** Starts one that pipelines `count` requests for `path` to 127.0.0.1:`port`. */
  static start(port: number, count: number, path: string): NonReadingClient {
    return new NonReadingClient(spawn('python3', ['-c', SCRIPT, String(port), String(count), path], { stdio: ['ignore', 'pipe', 'inherit'] }));
  }

  /** Resolves with the first line printed that starts with `word`. */
  until(word: string): Promise<string> {
    return new Promise((resolve) => {
      const check = (): void => {
        const line = this.lines.find((l) => l.startsWith(`${word} `));
        if (line === undefined) return;
        this.watchers.delete(check);
        resolve(line);
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Ends the process (a test's cleanup; it exits by itself once closed). */
  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
