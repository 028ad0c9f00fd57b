/**
 * Prometheus metrics of the API at `/metrics`: HTTP latency and status by
 * route, decisions by outcome, the stalled steps by awaited agency, the
 * licence cases out of time by issuer and the cycles that closed incomplete by
 * funder. Those gauges come from one read of the records that scrapes share:
 * a scrape finding it older than `maxAgeMs` answers with it and starts the next read in the background, so however
 * often and by however many scrapers it is scraped, the records are read at most once per `maxAgeMs`. The worker's
 * metrics (the SDK's own, and e-mails sent and failed) are on the worker's own endpoint.
 */
import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Records } from '../records/database';
import { countIncompleteCycles } from '../records/cycle-records';
import { listStalled, type StalledList } from '../records/stalled';

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly http = new Histogram({
    name: 'licence_review_http_request_duration_seconds',
    help: 'HTTP requests by method, route (the pattern, never the token or id) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'licence_review_decisions_total',
    help: 'Decisions recorded through reviewer links, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly routes: { pattern: RegExp; route: string }[];

  /** `routes`: the documented paths (`/v1/projects/{id}`); a request is labelled with the one it matches. */
  constructor(records: Records, routes: string[], maxAgeMs: number) {
    // Literal segments before parameters, so /v1/cycles matches itself and not a parameter of another route.
    this.routes = [...routes]
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
      .map((route) => ({ route, pattern: new RegExp(`^${route.replace(/\{\w+\}/g, '[^/]+')}/?$`) }));
    collectDefaultMetrics({ register: this.registry, prefix: 'licence_review_api_' });
    // The last read, and the one under way. Only the first scrape waits for a read; a read that fails (the record
    // store down) keeps the last figures rather than failing the scrape.
    let last: { at: number; list: StalledList | undefined; incomplete: { funderId: string; n: number }[] } | undefined;
    let reading: Promise<void> | undefined;
    const refresh = () =>
      (reading ??= Promise.all([listStalled(records, {}), countIncompleteCycles(records)])
        .then(([list, incomplete]) => {
          last = { at: Date.now(), list, incomplete };
        })
        .catch(() => undefined)
        .finally(() => (reading = undefined)));
    const stalledNow = async () => {
      if (!last) await refresh();
      else if (Date.now() - last.at > maxAgeMs) void refresh();
      return last?.list;
    };
    new Gauge({
      name: 'licence_review_incomplete_cycles',
      help: 'Funder review cycles that closed without every outcome (their unreported items say why), by funder, while their records are kept',
      labelNames: ['funder'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        await stalledNow();
        for (const c of last?.incomplete ?? []) this.set({ funder: c.funderId }, c.n);
      },
    });
    new Gauge({
      name: 'licence_review_stalled_steps',
      help: 'Open review steps past their due time, by the agency or funder awaited',
      labelNames: ['awaited'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const item of (await stalledNow())?.items ?? []) this.inc({ awaited: item.party });
      },
    });
    new Gauge({
      name: 'licence_review_out_of_time_cases',
      help: "Licence cases past their regime's legal limit, undecided, by issuing agency",
      labelNames: ['issuer'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const c of (await stalledNow())?.outOfTime ?? []) this.inc({ issuer: c.issuer.agencyId });
      },
    });
  }

  /** Times every request, labelled with its documented route (`/r/{token}`), or `unmatched`. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.http.startTimer();
      const route = this.routeOf(req);
      res.once('finish', () => end({ method: req.method, route, status: String(res.statusCode) }));
      next();
    };
  }

  private routeOf(req: Request): string {
    return this.routes.find((r) => r.pattern.test(req.path))?.route ?? 'unmatched';
  }
}
