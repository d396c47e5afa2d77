// Below the worker, in step/, since completeInBulk (step/bulk-complete.ts) runs its checks with it too.
export { mapConcurrent } from "../step/concurrency.js";
