import { telnetLine } from './support/fuzz-caller.js';
import { describeTcpDoorFuzz } from './support/fuzz-tcp-door.js';
import { telnetPlan } from './support/fuzz-telnet-inputs.js';

describeTcpDoorFuzz({
  file: 'test/fuzz-telnet.test.ts',
  title: 'fuzzing the telnet door',
  door: 'telnet',
  port: (bbs) => bbs.telnetPort,
  openLine: telnetLine,
  plan: telnetPlan,
});
