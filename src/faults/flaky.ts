/** How many of its tries each flaky request has used, until it succeeds. In memory, per process. */
export class FlakyCounter {
  private readonly tries = new Map<string, number>();

  constructor(private readonly capacity = 10_000) {}

  /**
   * Counts a try of the request `id`. True while it is one of the first `failing` tries;
   * the try after those succeeds and starts the count again, so the same request sent
   * later is flaky again.
   */
  fails(id: string, failing: number): boolean {
    const tried = (this.tries.get(id) ?? 0) + 1;
    if (tried > failing) {
      this.tries.delete(id);
      return false;
    }
    if (this.tries.size >= this.capacity && !this.tries.has(id)) this.tries.delete(this.tries.keys().next().value!);
    this.tries.set(id, tried);
    return true;
  }
}
