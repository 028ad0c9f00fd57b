/** The coordinator's pages (admins reach them too, over every project). */
import { Router } from 'express';
import type { PageRoutes } from '../routes';
import { delegatePages } from './delegates';
import { projectFilePages } from './project-files';
import { projectPages } from './project-page';
import { projectListPages } from './projects-list';
import { scopingPages } from './scoping';
import { withdrawPages } from './withdraw';

export const coordinatorPages: PageRoutes = (ctx) => {
  const router = Router();
  router.use(delegatePages(ctx));
  router.use(projectListPages(ctx));
  router.use(scopingPages(ctx));
  router.use(withdrawPages(ctx));
  router.use(projectFilePages(ctx));
  router.use(projectPages(ctx)); // `/projects/:id` passes `/projects/new` on to the submission's pages
  return router;
};
