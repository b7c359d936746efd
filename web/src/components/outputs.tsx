import { useState } from 'preact/hooks';
import type { Generation } from '../generation.js';

type Output = Generation['output'][number];

export function OutputMedia({ output, label, thumb = false }: { output: Output; label: string; thumb?: boolean }) {
  if (output.type === 'video') {
    return thumb ? (
      <video
        src={output.url}
        muted
        loop
        playsInline
        preload="metadata"
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
  return <img src={output.url} alt={label} loading="lazy" decoding="async" />;
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
