/**
 * What the project's record writes carry besides its own steps and audit entries (record-writer.ts): its core view
 * when it changed, the parties and the submission on the first write, the keeping period once it has ended, and its
 * rows in funder cycles' items.
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { CycleItemWrite, PartyRecord, ProjectCore } from '../records/contract';
import type { Project } from '../domain/project';
import type { Stage } from './definitions';
import { shardSettledSignal } from './cycle-contract';
import { ChangeTracker, type ProjectExtras } from './record-writer';

/** Stages after which the project cannot change: its record is kept for the record-keeping period from then. */
const FINAL: ReadonlySet<Stage> = new Set(['rejected', 'withdrawn', 'closed']);

export class ProjectCoreWrites {
  private readonly core = new ChangeTracker<ProjectCore>();
  /** An amendment changed the submission: the next write carries it and the parties (those recorded stay as they are). */
  private amendedParties?: PartyRecord[];

  /** `firstWrite`: false in a run continued as new (the parties and submission are recorded). */
  constructor(
    private readonly source: { core(): ProjectCore; parties: PartyRecord[]; submission: Project; keepForMs: number },
    private firstWrite: boolean,
  ) {}

  amended(parties: PartyRecord[]): void {
    this.amendedParties = parties;
  }

  next(): ProjectExtras {
    const core = this.source.core();
    const first = this.firstWrite;
    const amended = this.amendedParties;
    this.firstWrite = false;
    this.amendedParties = undefined;
    return {
      // The submission is written with the core (records/project-writes.ts).
      ...((this.core.changedSince([['core', core]]).length || amended) && { core }),
      ...(first && { parties: this.source.parties, submission: this.source.submission }),
      ...(!first && amended && { parties: amended, submission: this.source.submission }),
      ...(FINAL.has(core.stage) && { closed: { at: new Date().toISOString(), keepUntil: new Date(Date.now() + this.source.keepForMs).toISOString() } }),
    };
  }
}

/** The project's rows in funder cycles' items that changed since its last write, by cycle: the next write carries them. */
export class CycleItemWrites {
  private readonly items = new Map<string, CycleItemWrite>();

  set(item: CycleItemWrite): void {
    this.items.set(item.cycleId, item);
  }

  take(): Pick<ProjectExtras, 'cycleItems'> {
    const items = [...this.items.values()];
    this.items.clear();
    return items.length ? { cycleItems: items } : {};
  }
}

/** Tells a cycle shard that its projects all have final outcomes; a shard that has finished needs telling no more. */
export const wakeShard = (shardId: string): void =>
  void getExternalWorkflowHandle(shardId)
    .signal(shardSettledSignal)
    .catch(() => undefined);
