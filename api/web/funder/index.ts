/** The funder's pages: the portfolio, launching and following review cycles, held and stalled milestones. */
import { Router } from 'express';
import type { PageRoutes } from '../routes';
import { cyclePages } from './cycle-page';
import { launchPages } from './launch';
import { portfolioPages } from './portfolio';
import { stalledPages } from './stalled';

export const funderPages: PageRoutes = (ctx) => {
  const router = Router();
  router.use(portfolioPages(ctx));
  // /cycles/new before /cycles/:id.
  router.use(launchPages(ctx));
  router.use(cyclePages(ctx));
  router.use(stalledPages(ctx));
  return router;
};
