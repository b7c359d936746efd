import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

export function Select(props: {
  id: string;
  label: string;
  value: string | number;
  options: readonly (string | readonly [string | number, string])[];
  empty?: string;
  onChange: (v: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.empty !== undefined && <option value="">{props.empty}</option>}
        {props.options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

export function Check(props: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label class="check" for={props.id}>
      <input id={props.id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      {props.label}
    </label>
  );
}

/** An error (announced at once) or a confirmation (announced politely); nothing when both are empty. */
export function Notice({ error, text }: { error?: string | null; text?: string | null }) {
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  return text ? (
    <p class="ok" role="status">
      {text}
    </p>
  ) : null;
}

export interface Column {
  label: string;
  num?: boolean;
  /** Read by screen readers only. */
  hidden?: boolean;
}

/** A scrollable table with column headers; `empty` shows when there are no rows. */
export function Table({ columns, empty, children }: { columns: Column[]; empty?: string | false; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" class={c.num ? 'num' : undefined}>
                {c.hidden ? <span class="sr-only">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty && (
            <tr>
              <td colSpan={columns.length} class="muted">
                {empty}
              </td>
            </tr>
          )}
          {children}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A text filter applied on Enter or when focus leaves. It keeps what is typed in its own state,
 * so a re-render from a live refresh doesn't put the applied value back over the typing.
 */
export function FilterInput(props: { id: string; label: string; value: string; placeholder?: string; onCommit: (v: string) => void }) {
  const [draft, setDraft] = useState(props.value);
  useEffect(() => setDraft(props.value), [props.value]);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        placeholder={props.placeholder}
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onChange={(e) => props.onCommit(e.currentTarget.value)}
      />
    </div>
  );
}
