/**
 * `TRUST_PROXY`: which proxies in front of the API may say who the client is (X-Forwarded-For), so the rate limits
 * count each client by its own address, not every client behind a proxy as one. Express's `trust proxy` setting:
 * - a hop count: the client is that many proxies back (`1`: one reverse proxy in front; `0`: trust none);
 * - comma-separated addresses and CIDR ranges of the proxies (`10.0.0.0/8,192.0.2.7`), or Express's names
 *   `loopback`, `linklocal`, `uniquelocal`. Only what a trusted proxy adds is believed; a client cannot spoof it.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export type TrustProxy = number | string[];

/** A proxy on the same host: what the API trusted before the setting existed. */
export const DEFAULT_TRUST_PROXY: TrustProxy = ['loopback'];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why `item` names no proxy, or undefined when it does. */
function problem(item: string): string | undefined {
  if (NAMES.has(item)) return undefined;
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (!family || rest.length) return `"${item}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`;
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${item}": the prefix length must be 0–${max}`;
  return undefined;
}

export const trustProxy = z.string().transform((value, ctx): TrustProxy => {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) ctx.addIssue({ code: 'custom', message: `${hops} hops: at most 10 proxies in front of the API` });
    return hops;
  }
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) ctx.addIssue({ code: 'custom', message: 'give a hop count or comma-separated proxy addresses or CIDR ranges' });
  for (const item of items) {
    const why = problem(item);
    if (why) ctx.addIssue({ code: 'custom', message: `${why}; give a hop count or comma-separated proxy addresses or CIDR ranges` });
  }
  return items;
});
