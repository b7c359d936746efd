import { createHook } from 'node:async_hooks';

/**
 * Keeps one `process.nextTick` queue entry alive for the life of the process. Imported first, before
 * startup's garbage collections.
 *
 * V8 remembers the hidden classes of the object literal in Node's `nextTick` weakly. A full GC that
 * runs while no tick is queued collects them; the next tick makes new ones, V8 has then seen two at
 * one literal and takes its generic slow path there for good. Every request queues several ticks,
 * so a process that met such a GC (about one start in two) spent a third more CPU on each request.
 * An entry kept alive keeps those classes alive.
 */
let held: object | undefined;
const hook = createHook({
  init(_id, type, _trigger, resource) {
    if (type === 'TickObject') held ??= resource as object;
  },
}).enable();
process.nextTick(() => {});
hook.disable();
