/** docker-compose.yml, Dockerfile and .env.example agree with each other, with the code that reads them and with the cluster's configuration. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config/env';
import { CLUSTER_CONFIG, CLUSTER_SERVICES, serviceKind, STANDARD_PORTS } from '../../scripts/lib/cluster';
import { searchAttributeFlags } from '../../workflows/definitions';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
}
const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const app = { api: services.api, worker: services.worker };

/** Names in .env.example, commented out or not, with the value shown. */
const example = new Map<string, { value: string; commented: boolean; line: number }>();
const exampleText = read('.env.example');
const exampleLines = exampleText.split('\n');
exampleLines.forEach((text, line) => {
  const m = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(text);
  if (m) example.set(m[2], { value: m[3].replace(/^"(.*)"$/, '$1'), commented: Boolean(m[1]), line });
});

/** Every `${VAR…}` reference in the compose file. */
const interpolated = [...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, its UI, an SMTP catcher, the API and the worker, and no auto-setup image', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['temporal-frontend', 'postgresql', 'temporal-ui', 'api', 'worker']));
    expect(Object.values(services).filter((s) => /auto-setup/.test(s.image ?? ''))).toEqual([]);
    expect(services.postgresql.image).toBe('postgres:16');
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(Object.values(services).some((s) => /^maildev\/maildev:\d/.test(s.image ?? ''))).toBe(true);
  });

  it('keeps PostgreSQL data in a named volume', () => {
    const [volume] = (services.postgresql.volumes ?? []).map((v) => v.split(':')[0]);
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('builds the API and the worker as one image from the Dockerfile, with their compiled entry points', () => {
    for (const [name, entry] of [
      ['api', 'dist/api/main.js'],
      ['worker', 'dist/worker/main.js'],
    ] as const) {
      expect(app[name].build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(app[name].command).toEqual(['node', entry]);
      // tsconfig.build.json compiles <folder>/main.ts to dist/<folder>/main.js.
      expect(existsSync(path.join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
    expect(app.api.image).toBe(app.worker.image);
    expect(existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('takes every secret from the environment, required and without a default (optional ones passed through)', () => {
    for (const service of Object.values(services)) {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        if (/_PREVIOUS$/.test(name)) expect({ name, value }).toEqual({ name, value: null });
        else if (/SECRET|API_KEYS|PASSWORD|PWD/.test(name)) expect({ name, value }).toEqual({ name, value: expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]*\}$/) });
      }
    }
    const devSecret = /DEV_LINK_SECRET = '([^']+)'/.exec(read('config/env.ts'))?.[1];
    const devKeys = (/DEV_API_KEYS =\s+'([^']+)'/.exec(read('config/env.ts'))?.[1] ?? '').split(',').map((k) => k.split('=')[1]);
    expect(devKeys.length).toBeGreaterThan(0);
    for (const literal of [devSecret, ...devKeys]) expect(composeText).not.toContain(literal);
  });

  it('lists every variable the API and the worker read, and every ${…} it uses, in .env.example', () => {
    const names = [...Object.values(app).flatMap((s) => Object.keys(s.environment ?? {})), ...interpolated];
    expect(names).toContain('LINK_SECRET');
    expect(names.filter((n) => !example.has(n))).toEqual([]);
  });

  it('health-checks every long-running service, and waits on health only where there is a check', () => {
    // One-shot jobs (the search-attribute registration) replace their image's entrypoint with a script and then exit.
    const oneShot = Object.entries(services)
      .filter(([, s]) => s.entrypoint)
      .map(([name]) => name);
    for (const [name, service] of Object.entries(services)) {
      if (!oneShot.includes(name)) expect({ name, test: service.healthcheck?.test?.length }).toEqual({ name, test: expect.any(Number) });
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (condition === 'service_healthy') expect(services[dependency].healthcheck).toBeDefined();
        if (condition === 'service_completed_successfully') expect(oneShot).toContain(dependency);
      }
    }
  });

  it('starts the API and the worker only after the record store and both frontends are healthy and the search attributes exist', () => {
    for (const service of Object.values(app)) {
      expect(service.depends_on).toEqual({
        postgresql: { condition: 'service_healthy' },
        'temporal-frontend': { condition: 'service_healthy' },
        'temporal-frontend-2': { condition: 'service_healthy' },
        'temporal-namespace': { condition: 'service_completed_successfully' },
      });
    }
    expect(services['temporal-schema'].depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
  });

  it("serves each worker replica's Prometheus metrics on the compose network, not on a shared host port", () => {
    const worker = app.worker as Service & { expose?: string[]; deploy?: { replicas?: number } };
    expect(worker.deploy?.replicas).toBe(2);
    const [, port] = /:(\d+)$/.exec(String(worker.environment?.WORKER_METRICS_ADDRESS)) ?? [];
    expect(worker.expose).toEqual([port]);
    expect(worker.ports).toBeUndefined();
    expect(app.api.environment?.WORKER_METRICS_ADDRESS).toBeUndefined();
    // The worker also gets everything the API does.
    expect(Object.keys(worker.environment ?? {})).toEqual(expect.arrayContaining(Object.keys(app.api.environment ?? {})));
  });

  it('gives the API and the worker longer to stop than they take to drain (api/main.ts forces exit at 25 s; worker/main.ts cancels at 30 s)', () => {
    const seconds = (s: Service) => Number(/^(\d+)s$/.exec(String((s as { stop_grace_period?: string }).stop_grace_period))?.[1]);
    const forcedAt = Number(/process\.exit\(1\), (\d+)_000\)/.exec(read('api/main.ts'))?.[1]);
    const cancelledAt = Number(/SHUTDOWN_GRACE = '(\d+) seconds'/.exec(read('worker/main.ts'))?.[1]);
    expect(forcedAt).toBeGreaterThan(0);
    expect(cancelledAt).toBeGreaterThan(0);
    expect(seconds(app.api)).toBeGreaterThan(forcedAt);
    expect(seconds(app.worker)).toBeGreaterThan(cancelledAt);
  });

  it("matches the README's table of services: the same names, and the host ports it says each publishes", () => {
    const section =
      read('README.md')
        .split(/^## Production shape$/m)[1]
        ?.split(/^## /m)[0] ?? '';
    const rows = [...section.matchAll(/^\| `([a-z0-9-]+)` \|.*\| ([\d, ]+|—) \|$/gm)].map(([, name, ports]) => ({
      name,
      ports: ports === '—' ? [] : ports.split(', '),
    }));
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(services).sort());
    for (const { name, ports } of rows) {
      const published = (services[name].ports ?? []).map((p) => p.split(':').at(-2));
      expect({ name, published: published.sort() }).toEqual({ name, published: ports.sort() });
    }
    expect(section).toContain(`\`${Object.keys(compose.volumes ?? {})[0]}\``);
  });

  it('publishes the API (3000), the Temporal UI (8080) and the mail inbox (1080)', () => {
    const published = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => Number(p.split(':').at(-2))));
    expect(published).toEqual(expect.arrayContaining([3000, 8080, 1080]));
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const build = JSON.parse(read('tsconfig.build.json')) as { extends: string; include: string[] };

  it('compiles with tsconfig.build.json, which leaves tests and scripts out', () => {
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toContain('npx tsc -p tsconfig.build.json');
    expect(build.extends).toBe('./tsconfig.json');
    expect(build.include.sort()).toEqual(['activities', 'api', 'config', 'domain', 'letters', 'records', 'worker', 'workflows']);
  });

  it('ships production modules, the compiled code and the data files, and runs unprivileged', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    for (const copied of ['dist', 'policy', 'reference-data']) expect(dockerfile).toMatch(new RegExp(`^COPY .*\\b${copied} \\./${copied}$`, 'm'));
    expect(dockerfile).toMatch(/^USER (?!root\b)\S+/m);
  });

  it('sets WORKFLOW_BUNDLE in the runtime stage to the bundle the build stage writes into the dist/ it ships', () => {
    /** Each stage's text, by its `AS` name. */
    const stages = Object.fromEntries(dockerfile.split(/^(?=FROM )/m).map((text) => [/^FROM \S+ AS (\S+)/.exec(text)?.[1], text]));
    const workdir = (stage: string) => /^WORKDIR (\S+)$/m.exec(stages[stage])?.[1] ?? '/';
    const written = /^RUN node --import tsx scripts\/bundle-workflows\.ts (\S+)$/m.exec(stages.build)?.[1];
    expect(written).toBeDefined();
    expect(stages.build).toMatch(/^COPY scripts\/bundle-workflows\.ts \.\/scripts\/$/m);
    expect(existsSync(path.join(ROOT, 'scripts/bundle-workflows.ts'))).toBe(true);
    // After tsc, so the bundle goes into the dist/ that is then copied whole.
    expect(stages.build.indexOf('bundle-workflows')).toBeGreaterThan(stages.build.indexOf('npx tsc'));
    const builtAt = path.posix.resolve(workdir('build'), written!);

    const copied = /^COPY --from=build (\S+) (\S+)$/m.exec(stages.runtime);
    expect(copied).not.toBeNull();
    const [, from, to] = copied!;
    expect(builtAt.startsWith(`${from}/`)).toBe(true);
    const shippedAt = path.posix.join(path.posix.resolve(workdir('runtime'), to), path.posix.relative(from, builtAt));
    expect(stages.runtime).toMatch(new RegExp(`^ENV WORKFLOW_BUNDLE=${shippedAt}$`, 'm'));
  });
});

describe('.env.example', () => {
  /** Each `NAME:` key of the zod object in config/env.ts. */
  const schemaBlock = /const envSchema = z\s*\.object\(\{([\s\S]*?)\n\s*\}\)/.exec(read('config/env.ts'))?.[1] ?? '';
  const configVars = [...schemaBlock.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  const startSource = read('scripts/start.ts');
  const startVars = [...startSource.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)|num\('([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1] ?? m[2]);

  it('lists every variable config/env.ts, scripts/start.ts and the CLI lookup read', () => {
    expect(configVars).toEqual(expect.arrayContaining(['NODE_ENV', 'LINK_SECRET', 'API_KEYS', 'POLICY_FILE']));
    expect(startVars).toEqual(expect.arrayContaining(['TEMPORAL_PORT', 'DATA_DIR']));
    const cliVars = read('scripts/ensure-temporal-cli.sh').includes('TEMPORAL_CLI') ? ['TEMPORAL_CLI'] : [];
    expect([...configVars, ...startVars, ...cliVars].filter((n) => !example.has(n))).toEqual([]);
  });

  it("lists the Temporal connection variables config/temporal-connection.ts takes from Temporal's conventions", () => {
    const named = [...new Set(read('config/temporal-connection.ts').match(/\bTEMPORAL_[A-Z_]*[A-Z]\b/g) ?? [])];
    expect(named).toEqual(expect.arrayContaining(['TEMPORAL_API_KEY', 'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE']));
    expect(named.filter((n) => !example.has(n))).toEqual([]);
    for (const tls of ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_NAME'])
      expect(example.has(tls)).toBe(true);
  });

  it('explains each variable in a comment on the line above', () => {
    for (const [name, { line }] of example) {
      const above = exampleLines[line - 1] ?? '';
      expect({ name, above }).toEqual({ name, above: expect.stringMatching(/^# (?![A-Z][A-Z0-9_]*=)\S/) });
    }
  });

  it('shows the defaults the code really uses', () => {
    // Unset NODE_ENV is production, which refuses the built-in secrets: the other defaults are read in development.
    expect(example.get('NODE_ENV')?.value).toBe('production');
    expect(() => loadConfig({})).toThrow(/LINK_SECRET: is required when NODE_ENV is production/);
    const config = loadConfig({ NODE_ENV: 'development' }) as unknown as Record<string, unknown>;
    const resolve = (name: string, value: string) => (name.endsWith('_FILE') ? path.resolve(ROOT, value) : value);
    const shown = [...example].filter(([name, v]) => v.commented && v.value && name in config && name !== 'NODE_ENV');
    expect(shown.length).toBeGreaterThan(8);
    for (const [name, { value }] of shown) expect({ name, value: resolve(name, value) }).toEqual({ name, value: String(config[name]) });
    for (const [, name, fallback] of startSource.matchAll(/num\('([A-Z_]+)', (\d+)\)/g)) expect(example.get(name)?.value).toBe(fallback);
  });

  it('sets nothing: copied to .env it changes no setting, and the development keys are only in a commented block production refuses', () => {
    expect([...example].filter(([, v]) => !v.commented).map(([name]) => name)).toEqual([]);
    const devBlock = exampleText.slice(exampleText.indexOf('# --- Development only'));
    const devKeys = /^# API_KEYS=(\S+)$/m.exec(devBlock)?.[1];
    expect(devKeys).toBe(/DEV_API_KEYS =\s+'([^']+)'/.exec(read('config/env.ts'))?.[1]);
    const production = { NODE_ENV: 'production', API_KEYS: devKeys, LINK_SECRET: 'a-production-secret-value', PUBLIC_URL: 'https://reviews.example' };
    expect(() => loadConfig(production)).toThrow(/API_KEYS: the admin key is a development key/);
  });

  it.each(['api/main.ts', 'worker/main.ts'])(
    '%s refuses to start in production on the shipped development values, naming each',
    (entry) => {
      const devBlock = exampleText.slice(exampleText.indexOf('# --- Development only'));
      const env = {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        API_KEYS: /^# API_KEYS=(\S+)$/m.exec(devBlock)![1],
        LINK_SECRET: /DEV_LINK_SECRET = '([^']+)'/.exec(read('config/env.ts'))![1],
        PUBLIC_URL: 'http://localhost:3000',
        TEMPORAL_ADDRESS: '127.0.0.1:1', // never reached: start-up stops first
      };
      const run = spawnSync(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines[0]).toBe('Refused in production:');
      for (const setting of [
        'API_KEYS: the coordinator:a.weber key is a development key',
        'API_KEYS: the admin key is a development key',
        'LINK_SECRET: the development link secret',
        'METRICS_TOKEN: required in production',
        'PUBLIC_URL: http://localhost:3000 is not https',
      ])
        expect(lines.some((l) => l.trim().startsWith(setting))).toBe(true);
      expect(run.stderr).not.toContain('dev-admin-key');
    },
    60_000,
  );

  it.each(['api/main.ts', 'worker/main.ts'])(
    '%s without NODE_ENV runs as production: with no secrets it stops at once, naming them, and exits 1',
    (entry) => {
      // No NODE_ENV (Jest sets "test"; the image sets production; a bare `node dist/...` sets nothing).
      const env = { PATH: process.env.PATH, PORT: '0', TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
      const run = spawnSync(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect({ status: run.status, stderr: run.stderr.trim().split('\n') }).toEqual({
        status: 1,
        stderr: [
          'Invalid configuration:',
          '  LINK_SECRET: is required when NODE_ENV is production',
          '  API_KEYS: or PRINCIPALS_FILE is required when NODE_ENV is production',
          '  (NODE_ENV is unset, so this runs as production; only npm start and the tests run development)',
        ],
      });
    },
    60_000,
  );
});

describe("docker-compose.yml's Temporal runs the configuration the cluster tests run (deploy/temporal/)", () => {
  const clusterYaml = read(`${CLUSTER_CONFIG.dir}/cluster.yaml`);
  /** Each variable cluster.yaml reads, with the default it gives (if any). */
  const variables = new Map([...clusterYaml.matchAll(/(?:default "([^"]*)" \()?env "([A-Z_]+)"/g)].map(([, fallback, name]) => [name, fallback]));
  const version = /^VERSION=(\S+)$/m.exec(read('scripts/ensure-temporal-server.sh'))?.[1];
  const mount = `./${CLUSTER_CONFIG.dir}:/etc/licence-review/temporal:ro`;
  const temporalServices = Object.keys(services).filter((name) => name.startsWith('temporal-') && name !== 'temporal-ui');
  const entry = (s: Service) => (s.entrypoint ?? []).join(' ');

  it('runs each service the cluster tests start as a container of the same server version, from the same files', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const service of CLUSTER_SERVICES) {
      const compose = services[`temporal-${service}`];
      expect({ service, image: compose?.image }).toEqual({ service, image: `temporalio/server:${version}` });
      expect(compose.volumes).toEqual([mount]);
      expect(entry(compose)).toContain(`--root / --config etc/licence-review/temporal --env ${CLUSTER_CONFIG.env} --allow-no-auth start --service "$$SERVICE"`);
      expect(compose.environment?.SERVICE).toBe(serviceKind(service));
    }
    // And nothing else: the schema and namespace jobs besides.
    expect(temporalServices.sort()).toEqual([...CLUSTER_SERVICES.map((s) => `temporal-${s}`), 'temporal-namespace', 'temporal-schema'].sort());
  });

  it('gives the Temporal containers only variables cluster.yaml or the scripts read, and the password it needs', () => {
    const scripts = read(`${CLUSTER_CONFIG.dir}/setup-schema.sh`) + read(`${CLUSTER_CONFIG.dir}/register-namespace.sh`);
    for (const name of temporalServices) {
      for (const variable of Object.keys(services[name].environment ?? {})) {
        const known = variables.has(variable) || variable === 'SERVICE' || scripts.includes(`\${${variable}:=`) || scripts.includes(`"\${${variable}:=`);
        expect({ service: name, variable, known }).toEqual({ service: name, variable, known: true });
      }
    }
    expect(services['temporal-history'].environment?.POSTGRES_PWD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    const dynamic = String(services['temporal-history'].environment?.TEMPORAL_DYNAMIC_CONFIG);
    expect(dynamic).toBe(`/etc/licence-review/temporal/${path.basename(dynamic)}`);
    expect(existsSync(path.join(ROOT, CLUSTER_CONFIG.dir, path.basename(dynamic)))).toBe(true);
  });

  it('health-checks each service on the port cluster.yaml gives it by default, the port `npm run cluster` uses too', () => {
    for (const service of CLUSTER_SERVICES) {
      const kind = serviceKind(service).toUpperCase();
      // The internal worker serves no gRPC: it is checked on its membership port.
      const [variable, standard] =
        kind === 'WORKER' ? ['WORKER_MEMBERSHIP_PORT', STANDARD_PORTS.worker.membership] : [`${kind}_GRPC_PORT`, STANDARD_PORTS[service].grpc];
      const port = variables.get(variable);
      expect({ service, health: services[`temporal-${service}`].healthcheck?.test }).toEqual({ service, health: ['CMD', 'nc', '-z', 'localhost', port] });
      if (service !== 'frontend-2') expect({ service, port: standard }).toEqual({ service, port: Number(port) });
    }
  });

  it('sets the schema up and registers the namespace with the scripts the cluster tests run; the script registers every search attribute', () => {
    const schema = services['temporal-schema'];
    expect(schema.image).toBe(`temporalio/admin-tools:${version}-tctl-1.18.4-cli-1.5.0`);
    expect(schema.volumes).toEqual([mount]);
    expect(schema.entrypoint).toEqual(['/bin/sh', '/etc/licence-review/temporal/setup-schema.sh']);
    const namespace = services['temporal-namespace'];
    expect(namespace.image).toBe(schema.image);
    expect(namespace.entrypoint).toEqual(['/bin/sh', '/etc/licence-review/temporal/register-namespace.sh']);
    expect(String(namespace.environment?.TEMPORAL_ADDRESS).split(':')[0]).toBe('temporal-frontend');
    const script = read(`${CLUSTER_CONFIG.dir}/register-namespace.sh`).replace(/\\\n\s*/g, ' ');
    for (const flag of searchAttributeFlags) {
      const [name, type] = flag.split('=');
      expect(script).toMatch(new RegExp(`--name ${name} --type ${type}\\b`));
    }
    expect([...script.matchAll(/--name (\w+)/g)]).toHaveLength(searchAttributeFlags.length);
  });

  it('has the API, the worker and the UI reach Temporal at `temporal`, the name both frontends answer to', () => {
    const aliases = (name: string) => (services[name] as Service & { networks?: { default?: { aliases?: string[] } } }).networks?.default?.aliases;
    expect(aliases('temporal-frontend')).toEqual(['temporal']);
    expect(aliases('temporal-frontend-2')).toEqual(['temporal']);
    for (const name of ['api', 'worker', 'temporal-ui'])
      expect({ name, address: services[name].environment?.TEMPORAL_ADDRESS }).toEqual({ name, address: 'temporal:7233' });
  });
});

describe('Dockerfile base image', () => {
  // Node.js release schedule (https://nodejs.org/en/about/previous-releases): the LTS lines and the end of their support.
  // Moving the image on before its line ends is an operations task (docs/OPERATIONS.md), not a test that fails on a date.
  const LTS_END_OF_LIFE: Record<number, string> = { 22: '2027-04-30', 24: '2028-04-30' };

  it('is a Node.js LTS line, at least the one package.json requires', () => {
    const major = Number(/^ARG NODE_IMAGE=node:(\d+)-bookworm-slim$/m.exec(read('Dockerfile'))?.[1]);
    expect(LTS_END_OF_LIFE[major]).toBeDefined();
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(major).toBeGreaterThanOrEqual(Number(/\d+/.exec(engines)![0]));
  });
});
