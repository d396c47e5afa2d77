/** What every view receives from the app shell. */
import type { DialogRequest } from "../components/ConfirmDialog.js";
import type { UpdateView } from "./use-view.js";
import type { ViewState } from "./url.js";

export interface AppContext {
  view: ViewState;
  update: UpdateView;
  /** Changes on every refresh (timer, action, manual): views re-fetch when it does. */
  version: number;
  /** Re-fetch now (after an action). */
  bump: () => void;
  /** Shows an error to the user. */
  report: (err: unknown) => void;
  /** Opens the confirmation dialog. */
  ask: (request: DialogRequest) => void;
  hasHistory: boolean;
}
