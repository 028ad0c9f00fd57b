/** The record-writing activities: each write is one transaction of keyed upserts, so a retry writes nothing twice. */
import { ApplicationFailure } from '@temporalio/common';
import type { CycleRecordWrite, ProjectRecordWrite } from '../records/contract';
import { writeCycleRecord } from '../records/cycle-records';
import type { Records } from '../records/database';
import { RecordRunMismatch, writeProjectRecord } from '../records/project-writes';

export function recordActivities(records: Records | undefined) {
  const db = () => {
    if (!records) throw new Error('the record activities need a record store (DATABASE_URL) in the activity dependencies');
    return records;
  };
  return {
    async recordProject(write: ProjectRecordWrite): Promise<void> {
      try {
        await writeProjectRecord(db(), write);
      } catch (err) {
        // Another submission of the same project id owns the record: retrying cannot help.
        if (err instanceof RecordRunMismatch) throw ApplicationFailure.nonRetryable(err.message, 'RecordRunMismatch');
        throw err;
      }
    },

    async recordCycle(write: CycleRecordWrite): Promise<void> {
      await writeCycleRecord(db(), write);
    },
  };
}
