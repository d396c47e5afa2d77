import type { Target } from "../../target/target.js";

/**
 * A store target class's `existsInBulk`: the targets grouped by `keyOf` (their URL and marker table),
 * each group answered by `askGroup` in one round trip; a target for which `isPlain` is false (a
 * subclass's own exists()) is asked as it is, since one query cannot know what that does.
 */
export async function existsInBulkBy<T extends Target>(
  targets: readonly T[],
  isPlain: (target: T) => boolean,
  keyOf: (target: T) => string,
  askGroup: (group: readonly T[]) => Promise<boolean[]>,
): Promise<boolean[]> {
  const found = new Array<boolean>(targets.length).fill(false);
  const groups = new Map<string, number[]>();
  const alone: number[] = [];
  targets.forEach((target, i) => {
    if (!isPlain(target)) {
      alone.push(i);
      return;
    }
    const key = keyOf(target);
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  });
  await Promise.all([
    ...alone.map(async (i) => (found[i] = await (targets[i] as T).exists())),
    ...[...groups.values()].map(async (indexes) => {
      const answers = await askGroup(indexes.map((i) => targets[i] as T));
      indexes.forEach((i, k) => (found[i] = answers[k] === true));
    }),
  ]);
  return found;
}
