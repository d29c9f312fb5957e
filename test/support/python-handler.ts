/** A Mongrel2 handler in Python (Debian's python3-zmq, libzmq 4), for tests of the proxy with a handler that is not Node's. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

// PULL on the send spec, PUB on the recv spec, both with ZMQ_HEARTBEAT_IVL so libzmq PINGs the
// proxy. Each request is answered with a prompt echoing its "msg"; "big N" is answered with N
// bytes. It is an XPUB so that it waits for the proxy's subscription before it replies: a PUB drops
// what it sends before then, as after a restarted proxy's SUB redials.
const SCRIPT = String.raw`
import json, sys, zmq
name, send_spec, recv_spec = sys.argv[1:4]
ctx = zmq.Context()
pull = ctx.socket(zmq.PULL); pub = ctx.socket(zmq.XPUB)
for s in (pull, pub):
    s.setsockopt(zmq.HEARTBEAT_IVL, 100); s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 300); s.setsockopt(zmq.LINGER, 0)
pull.connect(send_spec); pub.connect(recv_spec)
print('connecting', flush=True)
subscribed = False
def wait_subscribed():
    global subscribed
    while True:
        try:
            event = pub.recv(zmq.NOBLOCK if subscribed else 0)
        except zmq.Again:
            return
        subscribed = event[:1] == b'\x01'
def netstring(data):
    size, rest = data.split(b':', 1)
    return rest[:int(size)], rest[int(size) + 1:]
while True:
    frame = pull.recv()
    uuid, conn, path, rest = frame.split(b' ', 3)
    headers, rest = netstring(rest)
    body, _ = netstring(rest)
    if path == b'@*':
        continue
    msg = json.loads(body).get('msg', '')
    text = 'x' * int(msg[4:]) if msg.startswith('big ') else name + ': ' + msg
    reply = json.dumps({'type': 'prompt', 'msg': text, 'pchar': '> '}).encode()
    print('request ' + msg, flush=True)
    wait_subscribed()
    pub.send(uuid + b' ' + str(len(conn)).encode() + b':' + conn + b', ' + reply)
`;

/** A running Python handler: its output lines so far, and a stop that waits for its exit. */
export interface PythonHandler {
  readonly lines: string[];
  stop(): Promise<void>;
}

/** Starts the handler `name` connecting to the proxy's endpoints (which need not be bound yet). */
export async function startPythonHandler(name: string, sendSpec: string, recvSpec: string): Promise<PythonHandler> {
  const child: ChildProcess = spawn('/usr/bin/python3', ['-c', SCRIPT, name, sendSpec, recvSpec], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let connecting: () => void = () => undefined;
  const started = new Promise<void>((done) => (connecting = done));
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    lines.push(...text.split('\n').filter((line) => line !== ''));
    if (lines.includes('connecting')) connecting();
  });
  const exited = once(child, 'exit');
  await Promise.race([started, exited.then(() => Promise.reject(new Error(`python handler ${name} exited before connecting`)))]);
  return {
    lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
