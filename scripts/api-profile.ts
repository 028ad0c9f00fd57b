/**
 * Where the API spends its CPU per request: the bench's stack (in-memory dev server) with the API under
 * `--cpu-prof`, three kinds of request sent over HTTP, each in a window of its own, and the API's main-thread time
 * in each window charged to the package or file that spent it (scripts/bench/cpu-profile.ts). The profiler adds
 * its own cost, so read the shares; the CPU per request from /proc is printed beside them.
 *
 *   npm run api-profile                       400 requests of each kind, 10 in flight
 *   npm run api-profile -- --requests 1000 --concurrency 20 --top 20
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyseProfile, monotonicMicros } from './bench/cpu-profile';
import { benchProject, pool, post, workerIdle } from './bench/load';
import { BenchStack, FUNDERS, KEYS } from './bench/stack';
import { ROOT } from './lib/stack';

// Node's own parser: an unknown or misspelt option is refused, naming it.
const { values } = parseArgs({ options: { requests: { type: 'string' }, concurrency: { type: 'string' }, top: { type: 'string' } } });
function count(name: keyof typeof values, fallback: number): number {
  const value = Number(values[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}
const requests = count('requests', 400);
const concurrency = count('concurrency', 10);
const top = count('top', 12);

async function expectStatus(res: Promise<Response>, status: number, what: string): Promise<void> {
  const answer = await res;
  if (!answer.bodyUsed) await answer.arrayBuffer();
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status}, not ${status}`);
}

async function main(): Promise<void> {
  const profileDir = mkdtempSync(path.join(tmpdir(), 'api-profile-'));
  const stack = await BenchStack.start('memory', { apiNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  const windows: { name: string; from: number; to: number; apiCpuMs: number }[] = [];
  const submitted: string[] = [];
  const kinds: [string, () => Promise<void>][] = [
    [
      '`POST /v1/projects` → 201 (validation, the start call)',
      async () => {
        const project = benchProject(FUNDERS.reviews);
        await expectStatus(post(stack, '/v1/projects', project, KEYS.coordinator), 201, 'POST /v1/projects');
        submitted.push(project.projectId);
      },
    ],
    ['`POST /v1/projects` with `{}` → 400 (no Temporal call)', () => expectStatus(post(stack, '/v1/projects', {}, KEYS.coordinator), 400, 'POST {}')],
    [
      '`GET /v1/projects/:id` → 200 (from the records)',
      async () => {
        const id = submitted[Math.floor(Math.random() * submitted.length)];
        const res = fetch(`${stack.apiUrl}/v1/projects/${id}`, { headers: { authorization: `Bearer ${KEYS.coordinator}`, accept: 'application/json' } });
        await expectStatus(res, 200, `GET /v1/projects/${id}`);
      },
    ],
  ];
  try {
    for (const [name, send] of kinds) {
      await workerIdle(stack); // the submitted projects recorded (a view is read from the records), the worker quiet
      await pool(Array.from({ length: 50 }), concurrency, send); // warm-up, outside the window
      const cpu0 = stack.cpu().api;
      const from = monotonicMicros();
      await pool(Array.from({ length: requests }), concurrency, send);
      windows.push({ name, from, to: monotonicMicros(), apiCpuMs: stack.cpu().api - cpu0 });
    }
    await stack.stopApi();
    // The main thread's profile is the largest; tsx's loader thread writes one too.
    const main = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => ({ file: path.join(profileDir, f), size: statSync(path.join(profileDir, f)).size }))
      .sort((a, b) => b.size - a.size)[0];
    if (!main) throw new Error(`the API wrote no CPU profile in ${profileDir}`);
    console.log(`API CPU per request, ${requests} requests of each kind, ${concurrency} in flight (in-memory dev server, profiler on)\n`);
    for (const w of windows) {
      const { busyMs, byPlace } = analyseProfile(main.file, w.from, w.to, ROOT);
      const per = (ms: number) => (ms / requests).toFixed(3);
      console.log(`${w.name}: ${per(w.apiCpuMs)} ms CPU per request (all threads, /proc); main thread busy ${per(busyMs)} ms`);
      console.log('| where | ms per request | share |\n| --- | ---: | ---: |');
      for (const [place, ms] of byPlace.slice(0, top)) console.log(`| ${place} | ${per(ms)} | ${((100 * ms) / busyMs).toFixed(1)}% |`);
      const rest = byPlace.slice(top).reduce((sum, [, ms]) => sum + ms, 0);
      console.log(
        `| ${byPlace.length - top > 0 ? `${byPlace.length - top} other places` : 'nothing else'} | ${per(rest)} | ${((100 * rest) / busyMs).toFixed(1)}% |\n`,
      );
    }
    await stack.stop();
    rmSync(profileDir, { recursive: true, force: true });
  } catch (err) {
    await stack.stop(false);
    console.error(`api-profile: profiles kept in ${profileDir}`);
    throw err;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
