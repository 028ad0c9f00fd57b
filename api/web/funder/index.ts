/** The funder's pages. */
import { Router } from 'express';
import type { PageRoutes } from '../routes';

export const funderPages: PageRoutes = () => {
  const router = Router();
  return router;
};
