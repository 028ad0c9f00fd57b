/** The coordinator's pages (admins reach them too, over every project). */
import { Router } from 'express';
import type { PageRoutes } from '../routes';
import { delegatePages } from './delegates';

export const coordinatorPages: PageRoutes = (ctx) => {
  const router = Router();
  router.use(delegatePages(ctx));
  return router;
};
