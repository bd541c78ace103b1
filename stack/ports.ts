// Loopback port helpers. Services bind to 127.0.0.1 only, so that is where we probe.
import fs from 'node:fs';
import net from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * The kernel's ephemeral range: the ports it gives to outgoing connections and to `listen(0)`, and the ones
 * the Temporal dev server takes for its internal services. Linux says where it is; elsewhere it is the IANA
 * dynamic range (macOS, Windows).
 */
export function ephemeralRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): { low: number; high: number } {
  try {
    const [low, high] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low)
      return { low, high };
  } catch {
    // Not Linux, or no /proc: fall through to the IANA range.
  }
  return { low: 49152, high: 65535 };
}

/**
 * Where `freePort` picks from: below the ephemeral range when there is room there, else above it. A port the
 * kernel handed out by itself would be free only until the next outgoing connection or the next `listen(0)`
 * of a parallel test, or of the dev server starting beside it, took it again: CI once lost a whole suite
 * that way (EADDRINUSE on an SMTP sink's port). Ports outside that range are taken only by someone who
 * asks for them by number.
 */
export function pickRange(ephemeral = ephemeralRange()): { low: number; high: number } | undefined {
  const FLOOR = 20_000;
  if (ephemeral.low - 1 - FLOOR >= 1_000) return { low: FLOOR, high: ephemeral.low - 1 };
  if (65_535 - (ephemeral.high + 1) >= 1_000) return { low: ephemeral.high + 1, high: 65_535 };
  return undefined;
}

/** Handed out by this process already: a second caller must not get one before its first owner binds it. */
const handedOut = new Set<number>();

/**
 * A loopback port that nothing listens on, outside the kernel's ephemeral range (see `pickRange`). Random
 * picks are probed by binding them; a port is never handed out twice by one process. Where the system leaves
 * no room outside that range, the kernel picks, as before.
 */
export async function freePort(host = LOOPBACK): Promise<number> {
  const range = pickRange();
  if (range) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const port = range.low + Math.floor(Math.random() * (range.high - range.low + 1));
      if (handedOut.has(port)) continue;
      // Reserved before the probe: callers in flight at once must not probe and take the same port.
      handedOut.add(port);
      if (await isPortFree(port, host)) return port;
      handedOut.delete(port);
    }
  }
  return kernelPort(host);
}

/** A port the kernel picks for a throwaway listener, closed at once. */
function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('Could not read the port of a probe listener'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on host:port and we may bind it. */
export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** True when a TCP connection to host:port is accepted within timeoutMs. */
export function canConnect(port: number, host = LOOPBACK, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Poll until host:port accepts connections, or throw after timeoutMs. */
export async function waitForPort(
  port: number,
  opts: { host?: string; timeoutMs?: number; intervalMs?: number; isAlive?: () => boolean } = {},
): Promise<void> {
  const host = opts.host ?? LOOPBACK;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const interval = opts.intervalMs ?? 100;
  while (Date.now() < deadline) {
    if (opts.isAlive && !opts.isAlive()) throw new Error(`process exited before ${host}:${port} accepted connections`);
    if (await canConnect(port, host)) return;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`${host}:${port} did not accept connections within ${opts.timeoutMs ?? 30_000} ms`);
}
