/** Gives a stream's slot back; calling it again does nothing, so every way a stream ends may call it. */
export type ReleaseSlot = () => void;

/**
 * How many live log streams each user holds on this api process. A slot is taken before a stream
 * starts (synchronously, so concurrent opens cannot all squeeze past the limit) and given back
 * when it ends. Replicas do not share counts: one user may hold up to the limit on each.
 */
export class StreamSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly maxPerUser: number) {}

  /** A slot for one more stream of `userId`, or null when the user already holds `maxPerUser`. */
  tryTake(userId: string): ReleaseSlot | null {
    const count = this.heldBy(userId);
    if (count >= this.maxPerUser) return null;
    this.held.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.heldBy(userId) - 1;
      if (left > 0) this.held.set(userId, left);
      else this.held.delete(userId);
    };
  }

  heldBy(userId: string): number {
    return this.held.get(userId) ?? 0;
  }
}
