/** API errors, shown to the user until dismissed (never swallowed). */
export interface ShownError {
  id: number;
  text: string;
}

export function ErrorBanner(props: { errors: ShownError[]; onDismiss: (id: number) => void }) {
  if (props.errors.length === 0) return null;
  return (
    <div class="errors" role="alert">
      {props.errors.map((e) => (
        <div class="error" key={e.id}>
          <span>{e.text}</span>
          <button type="button" aria-label="Dismiss" onClick={() => props.onDismiss(e.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
