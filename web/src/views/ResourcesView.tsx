/** Resources (SPEC 5.5): total, used, the steps holding them; most used first. */
import { api } from "../api/methods.js";
import type { ResourceNode } from "../api/types.js";
import { ProgressBar } from "../components/ProgressBar.js";
import * as actions from "../state/actions.js";
import type { AppContext } from "../state/context.js";
import { useFetch } from "../state/use-fetch.js";
import { compareText } from "../state/format.js";
import { useActionRefusal } from "../state/session.js";

function usage(r: ResourceNode): number {
  return r.num_total > 0 ? (100 * r.num_used) / r.num_total : r.num_used > 0 ? 100 : 0;
}

function barColour(percent: number): string {
  return percent >= 100 ? "#DD0000" : percent > 50 ? "#E67E00" : "#00AA00";
}

export function ResourcesView(props: { ctx: AppContext }) {
  const { ctx } = props;
  const refusal = useActionRefusal();
  const { data } = useFetch((signal) => api.resourceList(signal), [ctx.version], ctx.report);
  if (!data) return <p class="muted">Loading…</p>;
  if (data.length === 0)
    return <p class="empty">No resource is configured (the [resources] section of luigi.cfg).</p>;
  const sorted = [...data].sort(
    (a, b) => usage(b) - usage(a) || b.num_used - a.num_used || compareText(a.name, b.name),
  );
  return (
    <div class="resources">
      {sorted.map((r) => {
        const p = usage(r);
        const consumers = Object.entries(r.running);
        return (
          <article class="resource-card" key={r.name} data-resource={r.name}>
            <header>
              <h2>{r.name}</h2>
              <button
                type="button"
                disabled={refusal !== undefined}
                title={refusal}
                onClick={() => actions.setResource(ctx, r.name, r.num_total)}
              >
                Set total
              </button>
            </header>
            <ProgressBar percent={p} colour={barColour(p)} label={`${r.num_used} / ${r.num_total} used`} />
            <p class="muted">
              {r.num_consumer} {r.num_consumer === 1 ? "step" : "steps"} using it
            </p>
            {consumers.length > 0 && (
              <ul class="id-list">
                {consumers.map(([id, node]) => (
                  <li key={id}>
                    <button type="button" class="link" onClick={() => ctx.update({ detail: id })}>
                      {node.display_name ?? id}
                    </button>
                    <span class="muted"> · {JSON.stringify(node.resources_running ?? node.resources)}</span>
                  </li>
                ))}
              </ul>
            )}
          </article>
        );
      })}
    </div>
  );
}
