/**
 * Independent model runs issued together, a few at a time. In a pool worker the runs waiting in
 * its queue are what idle peer workers can take (engine/assist.ts); a handful in flight keeps a
 * lender and its helpers busy, while inputs are built only as runs start (a crowd or a 4K frame
 * would otherwise hold every crop's tensor at once). The bound is per level: a mapped call that
 * maps again (people, then each person's runs) may hold up to limit × limit inputs.
 */

/** Calls in flight at most: the lender's own run plus two per helper for up to three helpers, and one being built. */
export const IN_FLIGHT = 8;

/**
 * `fn` over `items` with at most `limit` calls in flight; the results in the items' order.
 * After a failure no further call starts, and the first failure rejects once the started calls
 * have settled (so none of this call's runs is left to run during the next call).
 */
export async function mapInFlight<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, limit = IN_FLIGHT): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  if (failure) throw failure.error;
  return out;
}
