/**
 * Copies of the documents this process last wrote (or read) among those it writes with version
 * guards, so that the next run of an account can write them without reading them first: a run
 * then costs its writes, not a read before each. Least recently used out beyond `capacity`.
 *
 * A copy is only ever a guess, good for attempting a write: the write is conditional on the
 * version the copy has, so a copy that is behind the stored document (another writer moved it)
 * fails the condition, and the caller forgets the copy and reads the document. Nothing is ever
 * concluded from a copy alone (such as "nothing to write"): that is read from the store. Only
 * with guards in the filter ('server', see version-guard.ts): with guards checked by the
 * projector, the version passed as known is trusted without a read.
 */
export class KeptCopies<T> {
  private readonly copies = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(id: string): T | undefined {
    const copy = this.copies.get(id);
    if (copy !== undefined) {
      this.copies.delete(id);
      this.copies.set(id, copy);
    }
    return copy;
  }

  set(id: string, copy: T): void {
    this.copies.delete(id);
    this.copies.set(id, copy);
    if (this.copies.size > this.capacity) this.copies.delete(this.copies.keys().next().value!);
  }

  forget(id: string): void {
    this.copies.delete(id);
  }
}
