import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { inputPrefix } from '../generations/index.js';
import { Periodic } from '../periodic.js';
import type { BlobStore } from '../storage/index.js';
import { generations, type Store } from '../store/index.js';

const UUID7 = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BATCH = 200;

export interface DebrisSweeperDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  /** Where video jobs put their scratch folders. */
  scratchDir: string;
  intervalMs: number;
  /** Debris younger than this may still be a live write or submit, and stays. */
  graceMs: number;
}

/**
 * Removes what a killed process leaves behind: the inputs of a submit that never committed its
 * generation, temp files of blob writes, empty folders, and the scratch folders of video jobs whose
 * generation has ended. Runs at start and then every `intervalMs`.
 */
export class DebrisSweeper {
  private readonly periodic: Periodic;

  constructor(private readonly deps: DebrisSweeperDeps) {
    const pass = async () => {
      const removed = await this.sweep();
      if (removed > 0) deps.logger.info({ removed }, 'debris swept');
    };
    this.periodic = new Periodic(pass, deps.intervalMs, (err) => deps.logger.error({ err }, 'debris sweep failed'));
  }

  start(): void {
    this.periodic.start(true);
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass; returns how many things it removed. File times are wall-clock times, whatever `clock` is. */
  async sweep(): Promise<number> {
    const removed = (await this.orphanInputs()) + (await this.deps.blobs.sweepDebris(systemClock.now() - this.deps.graceMs));
    return removed + (await this.endedScratch());
  }

  /** `inputs/<id>` folders older than the grace whose generation was never stored. */
  private async orphanInputs(): Promise<number> {
    const { store, blobs, clock, graceMs } = this.deps;
    const cutoff = clock.now() - graceMs;
    const old = (await blobs.listChildren('inputs')).filter((id) => madeBefore(id, cutoff));
    let removed = 0;
    for (let i = 0; i < old.length; i += BATCH) {
      const ids = old.slice(i, i + BATCH);
      const states = await generations.getGenerationStates(store.db, ids);
      for (const id of ids.filter((id) => !states.has(id))) {
        await blobs.deletePrefix(inputPrefix(id));
        removed++;
      }
    }
    return removed;
  }

  /**
   * Scratch folders whose generation is completed, failed or gone: no job can still be using them.
   * A generation not stored yet may be a submit probing its video source, so it must be older than the grace.
   */
  private async endedScratch(): Promise<number> {
    const { store, scratchDir, clock, graceMs } = this.deps;
    const names = await fs.readdir(scratchDir).catch(() => [] as string[]);
    const byId = new Map<string, string[]>();
    for (const name of names) {
      const id = name.split('.')[0];
      byId.set(id, [...(byId.get(id) ?? []), name]);
    }
    let removed = 0;
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += BATCH) {
      const states = await generations.getGenerationStates(store.db, ids.slice(i, i + BATCH));
      for (const id of ids.slice(i, i + BATCH)) {
        const state = states.get(id);
        if (state === 'queued' || state === 'processing' || (state === undefined && !madeBefore(id, clock.now() - graceMs))) continue;
        for (const name of byId.get(id)!) await fs.rm(path.join(scratchDir, name), { recursive: true, force: true });
        removed += byId.get(id)!.length;
      }
    }
    return removed;
  }
}

/** Whether a time-ordered id (UUIDv7) was made before `cutoff` (epoch ms). */
function madeBefore(id: string, cutoff: number): boolean {
  const match = UUID7.exec(id);
  return match !== null && parseInt(match[1] + match[2], 16) < cutoff;
}
