/** TEMPORAL_DEV_ARGS (scripts/lib/stack.ts devServerArgs): the extra dev-server flags `npm start` passes on. */
import { devServerArgs } from '../../scripts/lib/stack';

it('splits the flags and their values on spaces, and is empty when unset', () => {
  expect(devServerArgs(' --dynamic-config-value history.maximumSignalsPerExecution=50   --log-level info ')).toEqual([
    '--dynamic-config-value',
    'history.maximumSignalsPerExecution=50',
    '--log-level',
    'info',
  ]);
  expect(devServerArgs(undefined)).toEqual([]);
  expect(devServerArgs('  ')).toEqual([]);
});

it('refuses a value that does not start with a flag, naming the setting', () => {
  expect(() => devServerArgs('history.maximumSignalsPerExecution=50')).toThrow(/^TEMPORAL_DEV_ARGS: "history\.maximumSignalsPerExecution=50" is not a flag/);
});
