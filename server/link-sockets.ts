/**
 * The two bound sockets of one backend number, whoever implements them: ZMTP in Node for plain
 * tcp:// and ipc:// endpoints (no I/O thread between the callers' bytes and the kernel), libzmq
 * (zeromq.js) for CURVE and any endpoint ZMTP in Node does not bind. Both speak the same wire.
 */
import type { CurveKeyPair } from '../common/curve-cert.js';
import type { FrameSink } from '../common/send-queue.js';
import { zmtpAddress } from '../common/zmtp/zmtp-endpoint.js';
import type { BackendSpec } from './backend-link.js';
import { openZeromqLinkSockets } from './zeromq-link-sockets.js';
import { openZmtpLinkSockets } from './zmtp-link-sockets.js';

/** What the sockets tell their link about backend processes. */
export interface LinkPeerEvents {
  /** A backend process finished its handshake on the PUSH socket. */
  connected(): void;
  /** One that had, went away. */
  disconnected(): void;
  /** A peer was refused at its handshake (`why`), as libzmq would refuse it. */
  refused?(why: string): void;
}

export interface LinkSockets {
  /** Where requests go (PUSH). */
  readonly sink: FrameSink;
  /** The endpoints as bound (the real port where `*` was asked). */
  readonly sendSpec: string;
  readonly recvSpec: string;
  /** Hands every frame of every reply message to `onFrame` until the sockets close. */
  receive(onFrame: (frame: Buffer) => void): Promise<void>;
  /** Closes both; `flushMs` > 0 lets what was sent go out first, for that long at most. */
  close(flushMs: number): Promise<void>;
}

/** Binds both endpoints of `spec` (CURVE on tcp:// with `curve`); throws with the endpoint in `address` when one cannot be bound. */
export function openLinkSockets(spec: BackendSpec, events: LinkPeerEvents, curve: CurveKeyPair | undefined): Promise<LinkSockets> {
  const curved = curve !== undefined && (spec.sendSpec.startsWith('tcp://') || spec.recvSpec.startsWith('tcp://'));
  const inNode = !curved && process.env.M2BBS_ZMQ_LIBRARY !== '1' && zmtpAddress(spec.sendSpec) !== undefined && zmtpAddress(spec.recvSpec) !== undefined;
  return inNode ? openZmtpLinkSockets(spec, events) : openZeromqLinkSockets(spec, events, curve);
}
