/**
 * The scale-out tests (test/scaling/scale-out-suite.ts) on a Temporal cluster on PostgreSQL: `worker` and `api`
 * reach Temporal through the first frontend, `worker-2` and `api-2` through the second, each by TEMPORAL_ADDRESS
 * alone. Then the connections themselves are read off the machine: each process holds one to its own frontend.
 */
import { execFileSync } from 'node:child_process';
import { scaleOutSuite } from '../scaling/scale-out-suite';

const stack = scaleOutSuite('cluster', { cluster: true });

/** The ports process `pid` has established TCP connections to (ss -tnp). */
function connectedPorts(pid: number): number[] {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(line.trim().split(/\s+/)[3]?.split(':').pop()));
}

test('each worker and each API holds its connection to its own frontend, and none to the other', () => {
  const cluster = stack.cluster!;
  for (const part of ['worker', 'api', 'worker-2', 'api-2'] as const) {
    const own = cluster.ports[stack.frontendOf(part)].grpc;
    const otherFrontend = cluster.ports[stack.frontendOf(part) === 'frontend' ? 'frontend-2' : 'frontend'].grpc;
    const ports = connectedPorts(stack.pid(part)!);
    expect({ part, toOwnFrontend: ports.includes(own), toOtherFrontend: ports.includes(otherFrontend) }).toEqual({
      part,
      toOwnFrontend: true,
      toOtherFrontend: false,
    });
  }
});
