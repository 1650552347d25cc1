// Admission of WebSocket connections: a cap on sockets per client IP, and on sockets that have not authenticated
// yet (per IP and in total), so unauthenticated sockets cannot use up limits.maxConnections.
import type { Config } from '../config/config.js';

/** A reserved place for one socket; release it exactly once when the socket is refused or closes. */
export interface Slot {
  readonly ip: string;
  /** The socket has authenticated: it no longer counts as unauthenticated. */
  authenticated(): void;
  release(): void;
}

export class ConnectionSlots {
  private readonly perIp = new Map<string, { total: number; unauth: number }>();
  private unauth = 0;

  constructor(private readonly limits: Config['limits']) {}

  /** Reserves a slot, or names the limit that refuses it. `authenticated`: the upgrade request carried a valid token. */
  reserve(ip: string, authenticated: boolean): Slot | { refused: string } {
    const n = this.perIp.get(ip) ?? { total: 0, unauth: 0 };
    if (n.total >= this.limits.maxConnectionsPerIp) return { refused: 'ws_connections_per_ip' };
    if (!authenticated && n.unauth >= this.limits.maxUnauthenticatedPerIp) return { refused: 'ws_unauthenticated_per_ip' };
    if (!authenticated && this.unauth >= this.limits.maxUnauthenticatedConnections) return { refused: 'ws_unauthenticated' };
    n.total++;
    this.perIp.set(ip, n);
    let unauth = !authenticated;
    if (unauth) {
      n.unauth++;
      this.unauth++;
    }
    let released = false;
    const leaveUnauth = () => {
      if (!unauth) return;
      unauth = false;
      n.unauth--;
      this.unauth--;
    };
    return {
      ip,
      authenticated: leaveUnauth,
      release: () => {
        if (released) return;
        released = true;
        leaveUnauth();
        n.total--;
        if (n.total === 0) this.perIp.delete(ip);
      },
    };
  }
}
