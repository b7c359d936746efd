import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../accounts/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { apiError, type GenerationRequest } from '../contract/index.js';
import type { Events } from '../events.js';
import { Chaos } from '../faults/chaos.js';
import { faultLabel, faultName, parseFault, readFault, type Fault } from '../faults/fault.js';
import { flakyFails } from '../faults/flaky.js';
import { httpFaultError } from '../faults/http-fault.js';
import { emulatorState, type Store } from '../store/index.js';
import { planEmulation, type Emulation } from './emulation.js';
import type { LatencySetting } from './latency-setting.js';

export const FAULT_HEADER = 'x-atelier-fault';

type FaultSource = 'header' | 'key' | 'config' | 'chaos';

export interface Submission {
  /** The X-Atelier-Fault header as received. */
  header: string | string[] | undefined;
  idempotencyKey: string | string[] | undefined;
  principal: Principal;
  body: unknown;
  log: Pick<Logger, 'info'>;
}

/** A submission's emulation: its stored plan, and the fault counted once the generation is stored. */
export interface SubmitEmulation {
  plan(request: GenerationRequest): Emulation | undefined;
  stored(): void;
}

export interface EmulatorDeps {
  config: Pick<Config, 'mode' | 'timeScale' | 'chaos' | 'chaosSeed' | 'rpm'>;
  clock: Clock;
  /** Where flaky requests' tries are counted, so every API process sees the same count. */
  store: Store;
  events: Events;
  /** Key id → the fault ATELIER_KEY_FAULTS gives it. */
  configFaults: ReadonlyMap<string, Fault>;
  /** The latency profile, changeable at runtime. */
  latency: LatencySetting;
}

/**
 * The emulator's part of a submission. Which fault applies: the request's X-Atelier-Fault header,
 * else the key's stored fault (`atelier keys … --fault`), else its ATELIER_KEY_FAULTS entry, else
 * chaos. Synchronous faults are thrown here; the rest become the generation's stored plan.
 */
export class Emulator {
  private readonly chaos: Chaos;

  constructor(private readonly deps: EmulatorDeps) {
    this.chaos = new Chaos(deps.config.chaos, deps.config.chaosSeed);
  }

  get latency(): LatencySetting {
    return this.deps.latency;
  }

  /** Throws an injected HTTP error, or returns how to plan the generation once it is normalized. */
  async beforeSubmit(submission: Submission): Promise<SubmitEmulation> {
    const given = this.choose(submission);
    const chosen = given === undefined ? await this.chaosFault() : given;
    const settings = { latency: this.deps.latency.current(), timeScale: this.deps.config.timeScale };
    const plain = { plan: (request: GenerationRequest) => planEmulation(request, settings), stored() {} };
    if (!chosen) return plain;
    const { fault, source } = chosen;
    if (fault.kind === 'flaky') {
      if (await flakyFails(this.deps.store, flakyId(submission), fault.tries, this.deps.clock.now())) {
        this.injected(submission, fault, source);
        throw apiError('UPSTREAM_UNAVAILABLE');
      }
      return plain;
    }
    if (fault.kind === 'http') {
      this.injected(submission, fault, source);
      const rpm = submission.principal.rpmLimit ?? this.deps.config.rpm;
      throw httpFaultError(fault.status, rpm > 0 ? rpm : 30, this.deps.clock.now());
    }
    return { plan: (request) => planEmulation(request, settings, fault), stored: () => this.injected(submission, fault, source) };
  }

  /** The fault the header, the key or ATELIER_KEY_FAULTS gives; null = none (`none` opts out of chaos too); undefined = chaos decides. */
  private choose(submission: Submission): { fault: Fault; source: FaultSource } | null | undefined {
    const header = Array.isArray(submission.header) ? submission.header[0] : submission.header;
    if (header?.trim()) {
      if (this.deps.config.mode === 'gateway') throw apiError('FAULT_GATEWAY', { field: 'X-Atelier-Fault' });
      const fault = readFault(header, 'X-Atelier-Fault');
      return fault && { fault, source: 'header' }; // `none` opts this request out of its key's fault and of chaos
    }
    if (this.deps.config.mode === 'gateway') return null;
    const stored = submission.principal.fault ? parseFault(submission.principal.fault) : null;
    if (stored) return { fault: stored, source: 'key' };
    const configured = this.deps.configFaults.get(submission.principal.keyId);
    if (configured) return { fault: configured, source: 'config' };
    return undefined;
  }

  /**
   * Chaos, for a submission nothing else chose a fault for. Processes sharing a store count
   * submissions there, so the n-th submission of the deployment gets the n-th decision.
   */
  private async chaosFault(): Promise<{ fault: Fault; source: FaultSource } | null> {
    if (this.chaos.rate <= 0) return null;
    const { store, clock } = this.deps;
    const random = store.dialect.shared ? this.chaos.at(await store.transact((trx) => emulatorState.drawChaos(trx, clock.now()))) : this.chaos.next();
    return random ? { fault: random, source: 'chaos' } : null;
  }

  private injected(submission: Submission, fault: Fault, source: FaultSource): void {
    submission.log.info({ fault: faultName(fault), source, keyId: submission.principal.keyId }, 'fault injected');
    this.deps.events.emit('fault:injected', { fault: faultLabel(fault), source });
  }
}

/** The same request, tried again: the Idempotency-Key when given, else the key and the body. */
function flakyId(submission: Submission): string {
  const idempotencyKey = Array.isArray(submission.idempotencyKey) ? submission.idempotencyKey[0] : submission.idempotencyKey;
  const what = idempotencyKey !== undefined ? `idempotency-key\n${idempotencyKey}` : `body\n${JSON.stringify(submission.body)}`;
  return createHash('sha256').update(`${submission.principal.keyId}\n${what}`).digest('base64url');
}
