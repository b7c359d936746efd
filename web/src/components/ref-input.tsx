import { Notice } from './fields.js';
import { useState } from 'preact/hooks';
import { call, errorText } from '../api.js';
import type { ImageRef } from '../../../src/contract/schemas.js';
import { recentGenerationIds } from '../recent.js';

interface FileState {
  id: string;
  state: string;
  failure_reason?: string | null;
}

export type RefMode = 'upload' | 'url' | 'generation' | 'file';
export interface RefValue {
  mode: RefMode;
  url: string;
  media_type: string;
  generation_id: string;
  file_id: string;
}

export const emptyRef = (mode: RefMode = 'upload'): RefValue => ({ mode, url: '', media_type: '', generation_id: '', file_id: '' });

/** The ref as the API takes it; null while nothing is given. */
export function toImageRef(value: RefValue): ImageRef | null {
  switch (value.mode) {
    case 'url':
      return value.url.trim() ? { url: value.url.trim(), ...(value.media_type ? { media_type: value.media_type } : {}) } : null;
    case 'generation':
      return value.generation_id.trim() ? { generation_id: value.generation_id.trim() } : null;
    case 'upload':
    case 'file':
      return value.file_id.trim() ? { file_id: value.file_id.trim() } : null;
  }
}

const MODES: Array<[RefMode, string]> = [
  ['upload', 'Upload'],
  ['url', 'URL'],
  ['generation', 'Earlier generation'],
  ['file', 'File id'],
];

interface Props {
  id: string;
  label: string;
  value: RefValue;
  onChange: (value: RefValue) => void;
  /** Video sources take video files and need a media_type with a URL. */
  video?: boolean;
  onRemove?: () => void;
}

export function RefInput({ id, label, value, onChange, video = false, onRemove }: Props) {
  const [upload, setUpload] = useState<{ busy: boolean; note: string | null; error: string | null }>({ busy: false, note: null, error: null });
  const set = (patch: Partial<RefValue>) => onChange({ ...value, ...patch });

  const send = async (file: File) => {
    setUpload({ busy: true, note: null, error: null });
    try {
      const form = new FormData();
      form.set('purpose', 'input');
      form.set('file', file, file.name);
      let created = await call<FileState>('/v1/files', { form });
      set({ file_id: created.id });
      // Ingest (probing, moderation) finishes after the upload: follow it until the file is usable.
      for (let delay = 250; created.state === 'pending'; delay = Math.min(delay * 2, 2000)) {
        setUpload({ busy: true, note: `${file.name}: checking…`, error: null });
        await new Promise((r) => setTimeout(r, delay));
        created = await call<FileState>(`/v1/files/${created.id}`);
      }
      if (created.state === 'ready') setUpload({ busy: false, note: `${file.name}: ready`, error: null });
      else setUpload({ busy: false, note: null, error: `${file.name}: ${created.state}${created.failure_reason ? `: ${created.failure_reason}` : ''}` });
    } catch (err) {
      setUpload({ busy: false, note: null, error: errorText(err) });
    }
  };

  return (
    <fieldset class="ref">
      <legend>{label}</legend>
      <div class="segmented" role="radiogroup" aria-label={`${label}: given as`}>
        {MODES.map(([mode, text]) => (
          <label key={mode}>
            <input type="radio" name={`${id}-mode`} value={mode} checked={value.mode === mode} onChange={() => set({ mode })} />
            <span>{text}</span>
          </label>
        ))}
      </div>
      {value.mode === 'upload' && (
        <div class="field">
          <label for={`${id}-file`}>{video ? 'Video file' : 'Image file'}</label>
          <input
            id={`${id}-file`}
            type="file"
            accept={video ? 'video/*' : 'image/*'}
            disabled={upload.busy}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) void send(file);
            }}
          />
          {upload.busy && !upload.note && <p class="muted small">Uploading…</p>}
          {upload.note && <p class="muted small">{upload.note}</p>}
          <Notice error={upload.error} />
        </div>
      )}
      {value.mode === 'url' && (
        <div class="row">
          <div class="field grow">
            <label for={`${id}-url`}>URL</label>
            <input id={`${id}-url`} type="url" inputMode="url" value={value.url} onInput={(e) => set({ url: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for={`${id}-media-type`}>Media type</label>
            <input
              id={`${id}-media-type`}
              placeholder={video ? 'video/mp4' : 'optional'}
              value={value.media_type}
              onInput={(e) => set({ media_type: e.currentTarget.value })}
            />
          </div>
        </div>
      )}
      {value.mode === 'generation' && (
        <div class="field">
          <label for={`${id}-generation`}>Generation id</label>
          <input
            id={`${id}-generation`}
            list="recent-generations"
            spellcheck={false}
            value={value.generation_id}
            onInput={(e) => set({ generation_id: e.currentTarget.value })}
          />
          <datalist id="recent-generations">
            {recentGenerationIds().map((g) => (
              <option key={g.id} value={g.id}>
                {g.label}
              </option>
            ))}
          </datalist>
        </div>
      )}
      {value.mode === 'file' && (
        <div class="field">
          <label for={`${id}-file-id`}>File id</label>
          <input id={`${id}-file-id`} spellcheck={false} value={value.file_id} onInput={(e) => set({ file_id: e.currentTarget.value })} />
        </div>
      )}
      {onRemove && (
        <button type="button" class="ghost small" onClick={onRemove}>
          Remove {label.toLowerCase()}
        </button>
      )}
    </fieldset>
  );
}
