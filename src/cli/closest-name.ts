import { editDistance } from "../step/registry.js";

/**
 * The candidate closest to `name` by edit distance, if it is close enough to be a likely misspelling
 * (at most 2 edits, or a third of the candidate's length for longer names); ties go to the first.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    const allowed = Math.max(2, Math.floor(candidate.length / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}
