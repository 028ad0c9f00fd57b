/** The coordinator's pages (admins reach them too, over every project). */
import { Router } from 'express';
import type { PageRoutes } from '../routes';
import { appealPages } from './appeal';
import { complianceReportPages } from './compliance-report';
import { controlPlanPages } from './control-plan-pages';
import { correctiveActionPages } from './corrective-action';
import { delegatePages } from './delegates';
import { infoAnswerPages } from './info-answer';
import { projectFilePages } from './project-files';
import { projectPages } from './project-page';
import { projectListPages } from './projects-list';
import { scopingPages } from './scoping';
import { withdrawPages } from './withdraw';
import { submissionPages } from './submit';

export const coordinatorPages: PageRoutes = (ctx) => {
  const router = Router();
  // Before any /projects/:id page: "new" is not a project's id.
  router.use(submissionPages(ctx));
  router.use(delegatePages(ctx));
  // The actions on a project, each linked from the project page and back to it.
  router.use(infoAnswerPages(ctx));
  router.use(complianceReportPages(ctx));
  router.use(correctiveActionPages(ctx));
  router.use(appealPages(ctx));
  router.use(controlPlanPages(ctx));
  router.use(projectListPages(ctx));
  router.use(scopingPages(ctx));
  router.use(withdrawPages(ctx));
  router.use(projectFilePages(ctx));
  router.use(projectPages(ctx));
  return router;
};
