import { jsonSocketLine } from './support/fuzz-caller.js';
import { jsonSocketPlan } from './support/fuzz-json-socket-inputs.js';
import { describeTcpDoorFuzz } from './support/fuzz-tcp-door.js';

describeTcpDoorFuzz({
  file: 'test/fuzz-json-socket.test.ts',
  title: 'fuzzing the JSON-socket door',
  door: 'json',
  port: (bbs) => bbs.frontPort,
  openLine: jsonSocketLine,
  plan: jsonSocketPlan,
});
