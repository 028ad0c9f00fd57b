/** The scale-out tests (scale-out-suite.ts) on the dev server; test/cluster/scale-out.test.ts runs them on a cluster. */
import { scaleOutSuite } from './scale-out-suite';

scaleOutSuite('dev server');
