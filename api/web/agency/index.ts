/** The agency's pages: its queue, a step's page (decide or pass on), and its figures. */
import { Router } from 'express';
import type { PageRoutes } from '../routes';
import { decidePages } from './decide';
import { figuresPages } from './figures';
import { queuePages } from './queue';

export const agencyPages: PageRoutes = (ctx) => {
  const router = Router();
  router.use(queuePages(ctx), decidePages(ctx), figuresPages(ctx));
  return router;
};
