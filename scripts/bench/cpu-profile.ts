/**
 * Where a process's main thread spent its time, from a V8 CPU profile (`node --cpu-prof`): each sample is charged
 * to the innermost frame that belongs to a package or to this repository, so the time of a native or Node-internal
 * function goes to the code that called it (JSON.stringify inside pino is pino's, a socket write from sonic-boom is
 * sonic-boom's). Time no package or file of ours led to stays with the Node module it ran in (`node:_http_server`
 * parsing a request that arrived). Samples are kept only between two instants of the monotonic clock, which V8's
 * profile and `process.hrtime` share on Linux, so a window can be cut out of a whole process's profile.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileWindow {
  /** Main-thread time not idle, ms. */
  busyMs: number;
  /** Busy time by package (`pino`, `@temporalio/client`), file of ours (`api/auth.ts`) or Node module, ms, largest first. */
  byPlace: [string, number][];
}

/** The monotonic clock in µs, as the profile's timestamps count it. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** Where a frame's code lives, or undefined for native code and Node internals (charged to their caller). */
function placeOf(frame: ProfileNode['callFrame'], root: string): string | undefined {
  const { url, functionName } = frame;
  if (!url) return ['(garbage collector)', '(program)', '(idle)', '(root)'].includes(functionName) ? functionName : undefined;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scopeOrName, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scopeOrName.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName;
  }
  if (url.startsWith('node:')) return undefined;
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/** The busy time between `from` and `to` (µs, `monotonicMicros`), by place. */
export function analyseProfile(file: string, from: number, to: number, root: string): ProfileWindow {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  if (from < profile.startTime || to > profile.endTime) throw new Error(`${file} does not cover the window (clock mismatch?)`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const placeCache = new Map<number, string>();
  const chargedTo = (id: number): string => {
    const cached = placeCache.get(id);
    if (cached) return cached;
    let fallback: string | undefined;
    let place: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !place; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      place = placeOf(frame, root);
      if (!fallback && frame.url.startsWith('node:')) fallback = frame.url;
    }
    const result = place && place !== '(root)' ? place : (fallback ?? '(native)');
    placeCache.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    // A sample's delta is the time since the previous one: what this sample stands for.
    const place = chargedTo(profile.samples[i]);
    totals.set(place, (totals.get(place) ?? 0) + profile.timeDeltas[i] / 1000);
  }
  totals.delete('(idle)');
  const byPlace = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  return { busyMs: byPlace.reduce((sum, [, ms]) => sum + ms, 0), byPlace };
}
