/** The agency's pages. */
import { Router } from 'express';
import type { PageRoutes } from '../routes';

export const agencyPages: PageRoutes = () => {
  const router = Router();
  return router;
};
