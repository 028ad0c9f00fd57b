/** The coordinator's pages (admins reach them too, over every project). */
import { Router } from 'express';
import type { PageRoutes } from '../routes';
import { delegatePages } from './delegates';
import { submissionPages } from './submit';

export const coordinatorPages: PageRoutes = (ctx) => {
  const router = Router();
  // Before any /projects/:id page: "new" is not a project's id.
  router.use(submissionPages(ctx));
  router.use(delegatePages(ctx));
  return router;
};
