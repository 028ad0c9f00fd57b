/** The record-writing activities: each write is one transaction of keyed upserts, so a retry writes nothing twice. */
import { ApplicationFailure } from '@temporalio/common';
import type { CycleRecordWrite, ProjectRecordWrite, RecordWriteResult } from '../records/contract';
import { markUnreported, shardTally, writeCycleRecord, type ShardSlice } from '../records/cycle-records';
import { claimTargetSet, ForeignTargetSet, readTargets, selectActiveTargets, targetSetSize } from '../records/cycle-targets';
import type { Records } from '../records/database';
import { RecordRunMismatch, writeProjectRecord } from '../records/project-writes';
import { readShipped, type ShippedUnder } from '../records/shipments';

export function recordActivities(records: Records | undefined) {
  const db = () => {
    if (!records) throw new Error('the record activities need a record store (DATABASE_URL) in the activity dependencies');
    return records;
  };
  return {
    /** Returns the cycle shards this write settled (the writer tells each). */
    async recordProject(write: ProjectRecordWrite): Promise<RecordWriteResult> {
      try {
        return await writeProjectRecord(db(), write);
      } catch (err) {
        // Another submission of the same project id owns the record: retrying cannot help.
        if (err instanceof RecordRunMismatch) throw ApplicationFailure.nonRetryable(err.message, 'RecordRunMismatch');
        throw err;
      }
    },

    /** What the compliance reports of a closed project's licences declared shipped (its post-project review). */
    async shippedUnder(projectId: string): Promise<ShippedUnder[]> {
      return readShipped(db(), projectId);
    },

    async recordCycle(write: CycleRecordWrite): Promise<{ settled: boolean }> {
      return writeCycleRecord(db(), write);
    },

    /**
     * The size of a cycle's target set, which the cycle claims (it lives as long as the cycle); with `activeOf`, the
     * set is first made of that funder's active projects (once).
     */
    async cycleTargets({ setId, activeOf }: { setId: string; activeOf?: string }): Promise<number> {
      if (activeOf) {
        try {
          return await selectActiveTargets(db(), setId, activeOf);
        } catch (err) {
          if (err instanceof ForeignTargetSet) throw ApplicationFailure.nonRetryable(err.message, 'ForeignTargetSet');
          throw err;
        }
      }
      const size = await targetSetSize(db(), setId);
      if (size === undefined) throw ApplicationFailure.nonRetryable(`the cycle's target set ${setId} is not in the records`, 'MissingTargetSet');
      await claimTargetSet(db(), setId);
      return size;
    },

    /** A shard's slice of its cycle's target set. */
    async readCycleTargets({ setId, from, count }: { setId: string; from: number; count: number }): Promise<string[]> {
      return readTargets(db(), setId, from, count);
    },

    /** What a shard's projects have recorded so far. */
    async cycleShardTally(slice: ShardSlice) {
      return shardTally(db(), slice);
    },

    /** The slice's projects with no final outcome are recorded `unreported`, with why. */
    async markCycleUnreported(slice: ShardSlice & { reason: string; at: string }) {
      return markUnreported(db(), slice);
    },
  };
}
