import { BlockList, isIP } from 'node:net';
import { buildConnector } from 'undici';

/**
 * Addresses a multi-tenant install must not let a monitor reach: loopback, private networks,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved.
 */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class NonPublicTargetError extends Error {
  constructor(address: string) {
    super(`target address ${address} is not public (CHECK_PUBLIC_TARGETS_ONLY is on)`);
    this.name = 'NonPublicTargetError';
  }
}

/**
 * An undici connector that refuses a connection once it knows which address it reached. The
 * check happens after DNS on the connected socket itself, for every connection a check makes
 * (redirects included), so neither a hostname that resolves to a private address nor DNS
 * rebinding between a lookup and the connect gets through.
 */
export function publicOnlyConnector(): buildConnector.connector {
  const connect = buildConnector({});
  return (options, callback) =>
    connect(options, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      const address = socket.remoteAddress ?? '';
      if (isPublicAddress(address)) return callback(null, socket);
      socket.destroy();
      return callback(new NonPublicTargetError(address), null);
    });
}
