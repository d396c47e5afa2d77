/**
 * The one modal of the page: a question with Cancel / confirm, optionally with a number to enter
 * (worker processes, resource amount). Escape cancels; the confirm button has the focus.
 */
import { useEffect, useRef, useState } from "preact/hooks";

export interface DialogRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  /** Ask for a whole number (shown with this label and initial value). */
  number?: { label: string; value: number; min: number };
  onConfirm: (value: number | null) => Promise<void> | void;
}

export function ConfirmDialog(props: { request: DialogRequest; onClose: () => void }) {
  const { request, onClose } = props;
  const [value, setValue] = useState(String(request.number?.value ?? ""));
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    (inputRef.current ?? confirmRef.current)?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const n = Number(value);
  const valid = !request.number || (Number.isInteger(n) && n >= request.number.min && value.trim() !== "");
  const confirm = async (): Promise<void> => {
    if (!valid || busy) return;
    setBusy(true);
    try {
      await request.onConfirm(request.number ? n : null);
    } finally {
      setBusy(false);
      onClose();
    }
  };

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title">
        <h2 id="dialog-title">{request.title}</h2>
        <p>{request.message}</p>
        {request.number && (
          <label class="field">
            {request.number.label}
            <input
              ref={inputRef}
              type="number"
              min={request.number.min}
              step={1}
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
              onKeyDown={(e) => e.key === "Enter" && void confirm()}
            />
          </label>
        )}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            ref={confirmRef}
            type="button"
            class={request.danger ? "danger" : "primary"}
            disabled={!valid || busy}
            onClick={() => void confirm()}
          >
            {request.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
