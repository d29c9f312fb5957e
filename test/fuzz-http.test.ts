import { webSocketLine } from './support/fuzz-caller.js';
import { httpPlan } from './support/fuzz-http-inputs.js';
import { describeTcpDoorFuzz } from './support/fuzz-tcp-door.js';

// Malformed HTTP on the front port, with a WebSocket caller (which goes through HTTP) alongside.
describeTcpDoorFuzz({
  file: 'test/fuzz-http.test.ts',
  title: "fuzzing the front port's HTTP side",
  door: 'http',
  port: (bbs) => bbs.frontPort,
  openLine: webSocketLine,
  plan: httpPlan,
});
