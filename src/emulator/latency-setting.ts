import { monotonicMs, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { sharedState, type Store } from '../store/index.js';
import { latencyName, parseLatencyProfile, type LatencyProfile } from './latency-profile.js';

/** The settings row of a profile changed at runtime: `{"latency": "fixed:2000", "over": "instant"}`. */
export const LATENCY_SETTING = 'emulator_latency';
/** How stale another process's change may be here. */
const REFRESH_MS = 2000;

/**
 * The latency profile submissions are planned with. `--latency` sets it at start; the admin API
 * changes it at runtime. A change is stored, with the `--latency` it overrides, so every API process
 * follows it within 2 s and a restart keeps it, unless the server starts with a different
 * `--latency`, which then wins. In gateway mode it is always `--latency`'s (instant): a change
 * stored by an emulator on the same store never slows a gateway.
 */
export class LatencySetting {
  private profile: LatencyProfile;
  private readAt = 0;
  /** Bumped by each change, so a read that began before it can't undo it. */
  private version = 0;
  private refreshing: Promise<void> | null = null;

  private constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly configured: LatencyProfile,
    private readonly changeable: boolean,
  ) {
    this.profile = configured;
  }

  static async load(store: Store, clock: Clock, config: Pick<Config, 'latency' | 'mode'>): Promise<LatencySetting> {
    const setting = new LatencySetting(store, clock, config.latency, config.mode === 'emulator');
    if (setting.changeable) await setting.refresh();
    return setting;
  }

  /** The profile now; synchronous, so a submit never waits for the store. */
  current(): LatencyProfile {
    if (this.changeable && !this.refreshing && monotonicMs() - this.readAt > REFRESH_MS) {
      this.refreshing = this.refresh().finally(() => (this.refreshing = null));
    }
    return this.profile;
  }

  /** Changes the profile for every process; back to `--latency`'s value, it forgets the change. */
  async set(profile: LatencyProfile): Promise<void> {
    const name = latencyName(profile);
    const over = latencyName(this.configured);
    if (name === over) await sharedState.deleteSetting(this.store.db, LATENCY_SETTING);
    else await sharedState.putSetting(this.store.db, LATENCY_SETTING, JSON.stringify({ latency: name, over }), this.clock.now());
    this.version++;
    this.profile = profile;
    this.readAt = monotonicMs();
  }

  private async refresh(): Promise<void> {
    const version = this.version;
    let text: string | null;
    try {
      text = await sharedState.readSetting(this.store.db, LATENCY_SETTING);
    } catch {
      return; // the store is briefly unreachable: keep the profile we have and try again later
    }
    if (version !== this.version) return;
    this.readAt = monotonicMs();
    this.profile = this.stored(text) ?? this.configured;
  }

  private stored(text: string | null): LatencyProfile | null {
    if (!text) return null;
    try {
      const { latency, over } = JSON.parse(text) as { latency?: unknown; over?: unknown };
      return over === latencyName(this.configured) && typeof latency === 'string' ? parseLatencyProfile(latency) : null;
    } catch {
      return null;
    }
  }
}
