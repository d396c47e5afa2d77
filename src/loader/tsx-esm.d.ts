/** tsx's module hooks (`tsx/esm`, which ships no types of its own): what esm-hooks.ts wraps. */
declare module "tsx/esm" {
  import type { InitializeHook, LoadHook, ResolveHook } from "node:module";
  export const initialize: InitializeHook;
  export const load: LoadHook;
  export const resolve: ResolveHook;
}
