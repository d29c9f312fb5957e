import { webSocketLine } from './support/fuzz-caller.js';
import { describeTcpDoorFuzz } from './support/fuzz-tcp-door.js';
import { webSocketPlan } from './support/fuzz-websocket-inputs.js';

describeTcpDoorFuzz({
  file: 'test/fuzz-websocket.test.ts',
  title: 'fuzzing the WebSocket door',
  door: 'websocket',
  port: (bbs) => bbs.frontPort,
  openLine: webSocketLine,
  plan: webSocketPlan,
});
