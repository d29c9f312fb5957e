/**
 * Who can reach a ZeroMQ endpoint: a tcp:// endpoint bound on anything but a loopback address is
 * open to the network, where without CURVE anyone may read callers' input and forge replies.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { ipcPath } from './ipc-endpoint.js';

/** The host part of a `tcp://HOST:PORT` endpoint (brackets of an IPv6 address removed), else undefined. */
function tcpHost(spec: string): string | undefined {
  const match = /^tcp:\/\/(?:\[([^\]]*)\]|(.*)):[^:]*$/.exec(spec);
  if (match === null) return undefined;
  return match[1] ?? match[2];
}

/** True for a tcp:// endpoint bound where other hosts can reach it (any address but loopback's). */
export function isNetworkTcp(spec: string): boolean {
  const host = tcpHost(spec);
  if (host === undefined) return false;
  // `*`, 0.0.0.0, an interface name or a host name: all may face the network.
  return !(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost' || host === 'lo');
}

/** True when `spec` is an ipc:// endpoint whose socket file is not inside `folder`. */
export function isIpcOutside(spec: string, folder: string): boolean {
  const path = ipcPath(spec);
  if (path === undefined) return false;
  const within = relative(resolve(folder), resolve(path));
  return within === '' || within.startsWith('..') || isAbsolute(within);
}
