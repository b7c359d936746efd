import { useMemo, useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import { IMAGE_ASPECT_RATIOS, MANGA_ASPECT_RATIOS, VIDEO_TYPES } from '../../../src/contract/rules.js';
import { VIDEO_ASPECT_RATIOS } from '../../../src/contract/video-rules.js';
import {
  EDIT_STRENGTHS,
  LAYERING_RESOLUTIONS,
  VIDEO_DURATIONS,
  VIDEO_RESOLUTIONS,
  type GenerationCreate,
  type GenerationKind,
  type Model,
} from '../../../src/contract/schemas.js';
import { emptyRef, RefInput, toImageRef, type RefValue } from '../components/ref-input.js';
import { GenerationPanel } from '../components/generation-panel.js';
import { Check, Notice, Select } from '../components/fields.js';
import { useModels } from '../models.js';
import { rememberGeneration } from '../recent.js';
import type { Generation } from '../generation.js';
import { generationProblem } from '../validation.js';

interface Keyframe {
  ref: RefValue;
  index: string;
}

interface Form {
  model: Model;
  type: GenerationKind;
  prompt: string;
  aspect_ratio: string;
  style: string;
  output_format: string;
  web_search: boolean;
  user_id: string;
  source: RefValue;
  image_ref: RefValue[];
  layering_resolution: string;
  resolution: string;
  duration: string;
  loop: boolean;
  hdr: boolean;
  exr_export: boolean;
  start_frame: RefValue | null;
  end_frame: RefValue | null;
  keyframes: Keyframe[];
  position: { x_norm: string; y_norm: string; w_norm: string; h_norm: string } | null;
  edit_strength: string;
  edit_auto: boolean;
  edit_keyframes: Keyframe[];
}

const initial: Form = {
  model: 'uni-1',
  type: 'image',
  prompt: '',
  aspect_ratio: '',
  style: 'auto',
  output_format: '',
  web_search: false,
  user_id: '',
  source: emptyRef(),
  image_ref: [],
  layering_resolution: '',
  resolution: '',
  duration: '',
  loop: false,
  hdr: false,
  exr_export: false,
  start_frame: null,
  end_frame: null,
  keyframes: [],
  position: null,
  edit_strength: '',
  edit_auto: false,
  edit_keyframes: [],
};

const refs = (items: RefValue[]) => items.map(toImageRef).filter((r) => r !== null);
const indexes = (items: Keyframe[]) => items.map((k) => Number(k.index));
const orNull = <T,>(v: T | null | undefined) => (v === null || v === undefined ? undefined : v);

/** The request body the form describes: only what the user set, so the server's defaults apply. */
export function buildBody(f: Form): GenerationCreate {
  const isVideo = VIDEO_TYPES.includes(f.type);
  const body: GenerationCreate = { prompt: f.prompt, model: f.model, type: f.type };
  if (f.aspect_ratio && f.type !== 'image_edit' && f.type !== 'video_edit' && f.type !== 'layering') body.aspect_ratio = f.aspect_ratio as never;
  if (f.type === 'image' && f.style !== 'auto') body.style = f.style as never;
  if (!isVideo && f.output_format) body.output_format = f.output_format as never;
  if (f.web_search) body.web_search = true;
  if (f.user_id) body.user_id = f.user_id;
  if (f.type !== 'image' && f.type !== 'video') {
    const source = toImageRef(f.source);
    if (source) body.source = source;
  }
  if ((f.type === 'image' || f.type === 'image_edit') && f.image_ref.length > 0) body.image_ref = refs(f.image_ref);
  if (f.type === 'layering' && f.layering_resolution) body.layering = { resolution: f.layering_resolution as never };
  if (isVideo) {
    const video: NonNullable<GenerationCreate['video']> = {};
    if (f.resolution) video.resolution = f.resolution as never;
    if (f.type === 'video' && f.duration) video.duration = f.duration as never;
    if (f.type === 'video') {
      if (f.loop) video.loop = true;
      if (f.start_frame) video.start_frame = orNull(toImageRef(f.start_frame));
      if (f.end_frame) video.end_frame = orNull(toImageRef(f.end_frame));
      if (f.keyframes.length > 0) {
        video.keyframes = refs(f.keyframes.map((k) => k.ref));
        video.keyframe_indexes = indexes(f.keyframes);
      }
    }
    if (f.hdr) video.hdr = true;
    if (f.exr_export) video.exr_export = true;
    if (f.type === 'video_reframe' && f.position) {
      const p = f.position;
      video.source_position = { x_norm: Number(p.x_norm), y_norm: Number(p.y_norm), w_norm: Number(p.w_norm), h_norm: Number(p.h_norm) };
    }
    if (f.type === 'video_edit' && (f.edit_strength || f.edit_auto || f.edit_keyframes.length > 0)) {
      video.edit = {};
      if (f.edit_strength) video.edit.strength = f.edit_strength as never;
      if (f.edit_auto) video.edit.auto_controls = true;
      if (f.edit_keyframes.length > 0) {
        video.edit.keyframes = refs(f.edit_keyframes.map((k) => k.ref));
        video.edit.keyframe_indexes = indexes(f.edit_keyframes);
      }
    }
    if (Object.keys(video).length > 0) body.video = video;
  }
  return body;
}

function KeyframeList(props: { id: string; label: string; items: Keyframe[]; onChange: (items: Keyframe[]) => void }) {
  const { items, onChange } = props;
  return (
    <div class="keyframes">
      {items.map((k, i) => (
        <div key={i} class="keyframe">
          <RefInput
            id={`${props.id}-${i}`}
            label={`Keyframe ${i + 1}`}
            value={k.ref}
            onChange={(ref) => onChange(items.map((x, j) => (j === i ? { ...x, ref } : x)))}
            onRemove={() => onChange(items.filter((_, j) => j !== i))}
          />
          <div class="field narrow">
            <label for={`${props.id}-${i}-index`}>Frame index</label>
            <input
              id={`${props.id}-${i}-index`}
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              value={k.index}
              onInput={(e) => onChange(items.map((x, j) => (j === i ? { ...x, index: e.currentTarget.value } : x)))}
            />
          </div>
        </div>
      ))}
      <button type="button" class="ghost" onClick={() => onChange([...items, { ref: emptyRef(), index: String(items.length === 0 ? 0 : 119) }])}>
        Add {props.label.toLowerCase()}
      </button>
    </div>
  );
}

export function Playground() {
  const [form, setForm] = useState<Form>(initial);
  const [touched, setTouched] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState<Array<{ body: GenerationCreate; generation: Generation }>>([]);
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));

  const models = useModels();
  const typesOf = (model: string) => models.find((m) => m.id === model)?.types;
  const types = typesOf(form.model) ?? [];
  const isVideo = VIDEO_TYPES.includes(form.type);
  const body = useMemo(() => buildBody(form), [form]);
  const problem = useMemo(() => generationProblem(body, typesOf), [body, models]);
  const ratios = isVideo ? VIDEO_ASPECT_RATIOS : form.style === 'manga' ? MANGA_ASPECT_RATIOS : IMAGE_ASPECT_RATIOS;
  const promptMax = form.type === 'layering' ? 500 : 6000;

  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    setServerError(null);
    if (problem) return;
    setSubmitting(true);
    try {
      const generation = await call<Generation>('/v1/generations', { body });
      rememberGeneration(generation);
      setSubmitted((list) => [{ body, generation }, ...list].slice(0, 10));
    } catch (err) {
      setServerError(errorText(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div class="playground">
      <form class="card form" onSubmit={submit} noValidate aria-labelledby="playground-title">
        <h1 id="playground-title">Playground</h1>
        <div class="row">
          <Select
            id="model"
            label="Model"
            value={form.model}
            options={models.map((m) => m.id)}
            onChange={(v) => {
              const served = typesOf(v) ?? [];
              set({ model: v as Model, type: served.includes(form.type) ? form.type : (served[0] ?? form.type), aspect_ratio: '' });
            }}
          />
          <Select id="type" label="Type" value={form.type} options={types} onChange={(v) => set({ type: v as GenerationKind, aspect_ratio: '' })} />
        </div>
        <div class="field">
          <label for="prompt">Prompt{form.type === 'layering' ? ' (optional guidance)' : ''}</label>
          <textarea id="prompt" rows={4} value={form.prompt} onInput={(e) => set({ prompt: e.currentTarget.value })} aria-describedby="prompt-count" />
          <span id="prompt-count" class={`muted small ${form.prompt.length > promptMax ? 'over' : ''}`}>
            {form.prompt.length} / {promptMax}
          </span>
        </div>

        {form.type !== 'image' && form.type !== 'video' && (
          <RefInput id="source" label={isVideo ? 'Source video' : 'Source image'} value={form.source} video={isVideo} onChange={(source) => set({ source })} />
        )}

        <div class="row wrap">
          {form.type !== 'image_edit' && form.type !== 'video_edit' && form.type !== 'layering' && (
            <Select
              id="aspect-ratio"
              label="Aspect ratio"
              value={form.aspect_ratio}
              options={ratios}
              empty={form.type === 'video_reframe' ? 'choose one' : 'model decides'}
              onChange={(v) => set({ aspect_ratio: v })}
            />
          )}
          {form.type === 'image' && <Select id="style" label="Style" value={form.style} options={['auto', 'manga']} onChange={(v) => set({ style: v })} />}
          {!isVideo && (
            <Select id="output-format" label="Format" value={form.output_format} options={['png', 'jpeg']} empty="default" onChange={(v) => set({ output_format: v })} />
          )}
          {form.type === 'layering' && (
            <Select
              id="layering-resolution"
              label="Layer resolution"
              value={form.layering_resolution}
              options={LAYERING_RESOLUTIONS}
              empty="1k (default)"
              onChange={(v) => set({ layering_resolution: v })}
            />
          )}
          {isVideo && (
            <Select id="resolution" label="Resolution" value={form.resolution} options={VIDEO_RESOLUTIONS} empty="default" onChange={(v) => set({ resolution: v })} />
          )}
          {form.type === 'video' && (
            <Select id="duration" label="Duration" value={form.duration} options={VIDEO_DURATIONS} empty="5s (default)" onChange={(v) => set({ duration: v })} />
          )}
        </div>

        {(form.type === 'image' || form.type === 'image_edit') && (
          <fieldset class="group">
            <legend>References ({form.image_ref.length})</legend>
            {form.image_ref.map((ref, i) => (
              <RefInput
                key={i}
                id={`image-ref-${i}`}
                label={`Reference ${i + 1}`}
                value={ref}
                onChange={(value) => set({ image_ref: form.image_ref.map((r, j) => (j === i ? value : r)) })}
                onRemove={() => set({ image_ref: form.image_ref.filter((_, j) => j !== i) })}
              />
            ))}
            <button type="button" class="ghost" onClick={() => set({ image_ref: [...form.image_ref, emptyRef()] })}>
              Add reference
            </button>
          </fieldset>
        )}

        {isVideo && (
          <fieldset class="group">
            <legend>Video options</legend>
            <div class="row wrap">
              {form.type === 'video' && <Check id="loop" label="Loop" checked={form.loop} onChange={(loop) => set({ loop })} />}
              <Check id="hdr" label="HDR" checked={form.hdr} onChange={(hdr) => set({ hdr })} />
              <Check id="exr" label="EXR export" checked={form.exr_export} onChange={(exr_export) => set({ exr_export })} />
            </div>
            {form.type === 'video' && (
              <>
                {form.start_frame ? (
                  <RefInput id="start-frame" label="Start frame" value={form.start_frame} onChange={(v) => set({ start_frame: v })} onRemove={() => set({ start_frame: null })} />
                ) : (
                  <button type="button" class="ghost" onClick={() => set({ start_frame: emptyRef() })}>
                    Add start frame
                  </button>
                )}
                {form.end_frame ? (
                  <RefInput id="end-frame" label="End frame" value={form.end_frame} onChange={(v) => set({ end_frame: v })} onRemove={() => set({ end_frame: null })} />
                ) : (
                  <button type="button" class="ghost" onClick={() => set({ end_frame: emptyRef() })}>
                    Add end frame
                  </button>
                )}
                <KeyframeList id="keyframe" label="Keyframe" items={form.keyframes} onChange={(keyframes) => set({ keyframes })} />
              </>
            )}
            {form.type === 'video_reframe' && (
              <fieldset class="group">
                <legend>Source position (fractions of the output)</legend>
                <Check
                  id="position"
                  label="Place the source myself"
                  checked={form.position !== null}
                  onChange={(on) => set({ position: on ? { x_norm: '0', y_norm: '0', w_norm: '1', h_norm: '1' } : null })}
                />
                {form.position && (
                  <div class="row wrap">
                    {(['x_norm', 'y_norm', 'w_norm', 'h_norm'] as const).map((k) => (
                      <div class="field narrow" key={k}>
                        <label for={`position-${k}`}>{k}</label>
                        <input
                          id={`position-${k}`}
                          type="number"
                          step={0.05}
                          value={form.position![k]}
                          onInput={(e) => set({ position: { ...form.position!, [k]: e.currentTarget.value } })}
                        />
                      </div>
                    ))}
                  </div>
                )}
              </fieldset>
            )}
            {form.type === 'video_edit' && (
              <>
                <div class="row wrap">
                  <Select id="edit-strength" label="Edit strength" value={form.edit_strength} options={EDIT_STRENGTHS} empty="default" onChange={(v) => set({ edit_strength: v })} />
                  <Check id="edit-auto" label="Automatic controls" checked={form.edit_auto} onChange={(edit_auto) => set({ edit_auto })} />
                </div>
                <KeyframeList id="edit-keyframe" label="Edit keyframe" items={form.edit_keyframes} onChange={(edit_keyframes) => set({ edit_keyframes })} />
              </>
            )}
          </fieldset>
        )}

        <div class="row wrap">
          <div class="field">
            <label for="user-id">user_id</label>
            <input id="user-id" spellcheck={false} maxLength={256} value={form.user_id} onInput={(e) => set({ user_id: e.currentTarget.value })} />
          </div>
          <Check id="web-search" label="Web search" checked={form.web_search} onChange={(web_search) => set({ web_search })} />
        </div>

        {(touched || form.prompt !== '') && problem && (
          <p class="error" role="alert" id="form-problem">
            {problem}
          </p>
        )}
        <div id="server-error">
          <Notice error={serverError} />
        </div>
        <button type="submit" class="primary" disabled={submitting}>
          {submitting ? 'Submitting…' : 'Generate'}
        </button>
      </form>

      <section class="results" aria-label="Submitted generations" aria-live="polite">
        {submitted.length === 0 && <p class="muted empty">Submitted generations appear here and update until their outputs are ready.</p>}
        {submitted.map(({ body: sent, generation }) => (
          <GenerationPanel key={generation.id} initial={generation} body={sent} />
        ))}
      </section>
    </div>
  );
}
