/** The ZeroMQ socket options of each side of a CURVE connection, spelled once for the proxy, backends and the bench. */
import type { HandlerCurve } from './curve-flags.js';

/** A CURVE server's options: its secret key, and the ZAP domain (a number) whose keys may attach, enforced. */
export function curveServerOptions(secretKey: string, domain: string): { curveServer: true; curveSecretKey: string; zapDomain: string; zapEnforceDomain: true } {
  return { curveServer: true, curveSecretKey: secretKey, zapDomain: domain, zapEnforceDomain: true };
}

/** A CURVE client's options: the server's public key and its own pair; none without `curve`. */
export function curveClientOptions(curve: HandlerCurve | undefined): { curveServerKey?: string; curvePublicKey?: string; curveSecretKey?: string } {
  return curve === undefined ? {} : { curveServerKey: curve.serverKey, curvePublicKey: curve.publicKey, curveSecretKey: curve.secretKey };
}
