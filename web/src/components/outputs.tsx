import { useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import type { Generation } from '../generation.js';

type QueueReason = NonNullable<Generation['queue']>['reason'];
const QUEUE_REASON_LABELS: Record<QueueReason, string> = { worker: '', scheduled: ' (scheduled)', backend: ' (waiting for the backend)' };

type Output = Generation['output'][number];

/** `thumb`: shown in a gallery tile, from its thumbnail URL when the server gave one (a video's poster). */
export function OutputMedia({ output, label, thumb = false }: { output: Output; label: string; thumb?: boolean | string }) {
  const small = typeof thumb === 'string' ? thumb : undefined;
  if (output.type === 'video') {
    return thumb ? (
      <video
        src={output.url}
        poster={small}
        muted
        loop
        playsInline
        // With a poster, nothing of the video loads until it plays.
        preload={small ? 'none' : 'metadata'}
        aria-label={label}
        onMouseEnter={(e) => void e.currentTarget.play().catch(() => {})}
        onMouseLeave={(e) => e.currentTarget.pause()}
        onFocus={(e) => void e.currentTarget.play().catch(() => {})}
        onBlur={(e) => e.currentTarget.pause()}
      />
    ) : (
      <video src={output.url} controls playsInline preload="metadata" aria-label={label} />
    );
  }
  return <img src={small ?? output.url} alt={label} loading="lazy" decoding="async" />;
}

/** Layering outputs as a stack, back to front, each layer toggled on and off. */
export function LayerStack({ outputs }: { outputs: Output[] }) {
  const [hidden, setHidden] = useState<Set<number>>(new Set());
  const layers = outputs.filter((o) => o.layer).sort((a, b) => b.layer!.index - a.layer!.index);
  return (
    <div class="layers">
      <div class="stack checker">
        {layers.map((o) => (
          <img key={o.layer!.index} src={o.url} alt={`Layer ${o.layer!.index}: ${o.layer!.label}`} hidden={hidden.has(o.layer!.index)} />
        ))}
      </div>
      <fieldset class="layer-toggles">
        <legend>Layers (front to back)</legend>
        {[...layers].reverse().map((o) => {
          const i = o.layer!.index;
          return (
            <label key={i} class="check">
              <input
                type="checkbox"
                checked={!hidden.has(i)}
                onChange={() => {
                  const next = new Set(hidden);
                  if (next.has(i)) next.delete(i);
                  else next.add(i);
                  setHidden(next);
                }}
              />
              {i}: {o.layer!.label}
              <span class="muted small"> {o.layer!.description}</span>
            </label>
          );
        })}
      </fieldset>
    </div>
  );
}

export function Outputs({ generation }: { generation: Generation }) {
  const outputs = generation.output;
  if (outputs.length === 0) return null;
  if (outputs.some((o) => o.layer)) return <LayerStack outputs={outputs} />;
  return (
    <div class="outputs">
      {outputs.map((o, i) => (
        <figure key={i}>
          <OutputMedia output={o} label={`Output ${i + 1} of generation ${generation.id}`} />
          <figcaption>
            <a href={o.url} target="_blank" rel="noopener noreferrer">
              Open {o.type} {outputs.length > 1 ? i + 1 : ''}
            </a>
          </figcaption>
        </figure>
      ))}
    </div>
  );
}

export function StateBadge({ state }: { state: Generation['state'] }) {
  return <span class={`badge state-${state}`}>{state}</span>;
}

/** Where a running generation is: its queue position or its progress (extension fields, absent with --strict). */
export function Progress({ generation }: { generation: Generation }) {
  const g = generation;
  if (g.state === 'queued') {
    return (
      <div class="live">
        <div class="progress" role="progressbar" aria-label="Queued" />
        <span class="muted small">{g.queue ? `Queued: ${g.queue.position === 1 ? 'next to run' : `#${g.queue.position} in line`}${QUEUE_REASON_LABELS[g.queue.reason]}` : 'Queued'}</span>
      </div>
    );
  }
  if (g.state !== 'processing') return null;
  const fraction = g.progress?.fraction;
  return (
    <div class="live">
      {fraction === undefined ? (
        <div class="progress" role="progressbar" aria-label="Generating" />
      ) : (
        <progress max={1} value={fraction} aria-label={`Generating: ${Math.round(fraction * 100)}%`} />
      )}
      <span class="muted small">{g.progress ? `${g.progress.stage} · ${Math.round(g.progress.fraction * 100)}%` : 'Processing'}</span>
    </div>
  );
}

export function CancelButton({ generation, onCancelled }: { generation: Generation; onCancelled?: (g: Generation) => void }) {
  const [error, setError] = useState<string | null>(null);
  if (generation.state === 'completed' || generation.state === 'failed') return null;
  return (
    <>
      <button
        type="button"
        class="danger small"
        onClick={() =>
          call<Generation>(`/v1/generations/${encodeURIComponent(generation.id)}/cancel`, { method: 'POST' }).then(
            (g) => onCancelled?.(g),
            (err) => setError(errorText(err)),
          )
        }
      >
        Cancel
      </button>
      {error && <span class="error small">{error}</span>}
    </>
  );
}
