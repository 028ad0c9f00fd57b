/**
 * A project's delegates: the coordinators its owner (or an admin) lets act on it, and may stop again. The project
 * workflow holds the set; its record's owners come from it, so a removed delegate's keys no longer reach the project.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { addDelegateUpdate, ProjectRejection, removeDelegateUpdate } from './definitions';
import type { AuditInput } from './review-board';

interface DelegateContext {
  /** The project's owner: the principal that submitted it. */
  owner: string;
  record(entry: AuditInput): void;
  /** The set changed (the search attributes say who may act). */
  changed(): void;
  /** An Update's answer, once its change is recorded. */
  answer<T>(result: T): Promise<T>;
}

export function serveDelegates(delegates: Set<string>, c: DelegateContext): void {
  const mayChange = (by: string, what: string) => {
    if (by !== c.owner && by !== 'admin')
      throw ApplicationFailure.nonRetryable(`only the project's owner (${c.owner}) ${what} delegates`, ProjectRejection.NotOwner);
  };
  const result = () => c.answer({ owner: c.owner, delegates: [...delegates] });

  setHandler(
    addDelegateUpdate,
    ({ userId, addedBy }) => {
      delegates.add(`coordinator:${userId}`);
      c.record({ actor: addedBy, action: 'delegate-added', channel: 'api', detail: `coordinator:${userId} may act on the project` });
      c.changed();
      return result();
    },
    { validator: ({ addedBy }) => mayChange(addedBy, 'adds') },
  );

  setHandler(
    removeDelegateUpdate,
    ({ userId, removedBy }) => {
      delegates.delete(`coordinator:${userId}`);
      c.record({ actor: removedBy, action: 'delegate-removed', channel: 'api', detail: `coordinator:${userId} may no longer act on the project` });
      c.changed();
      return result();
    },
    {
      validator: ({ userId, removedBy }) => {
        mayChange(removedBy, 'removes');
        if (!delegates.has(`coordinator:${userId}`)) {
          throw ApplicationFailure.nonRetryable(`coordinator:${userId} is not a delegate of this project`, ProjectRejection.NotADelegate);
        }
      },
    },
  );
}
