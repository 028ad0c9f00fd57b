/** Every role's pages, in the order the app tries them. */
import { agencyPages } from './agency';
import { coordinatorPages } from './coordinator';
import { funderPages } from './funder';
import type { PageRoutes } from './routes';

export const ALL_PAGES: PageRoutes[] = [coordinatorPages, funderPages, agencyPages];
