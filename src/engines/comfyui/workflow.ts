import { PLACEHOLDERS, type Placeholder, type PlaceholderValues } from '../backend/request-values.js';

/** A workflow in ComfyUI's API format: node id → `{ class_type, inputs }`. */
export type Workflow = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: unknown }>;

const TOKEN = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([a-z0-9_]+)\s*\}\}$/;

/** Checks a parsed file is an API-format workflow; returns what is wrong, or null. */
export function workflowProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'is not a JSON object of nodes';
  const nodes = Object.entries(value as Record<string, unknown>);
  if (nodes.length === 0) return 'has no nodes';
  if ('nodes' in (value as object) && 'links' in (value as object)) return 'is in the UI format; export it with "Save (API Format)"';
  for (const [id, node] of nodes) {
    const n = node as { class_type?: unknown; inputs?: unknown } | null;
    if (!n || typeof n.class_type !== 'string' || !n.inputs || typeof n.inputs !== 'object') return `node ${id} has no class_type and inputs`;
  }
  const unknown = [...placeholdersIn(value as Workflow)].filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  return unknown.length > 0 ? `uses unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{{${u}}}`).join(', ')}` : null;
}

/** Every placeholder name the workflow's string inputs mention. */
export function placeholdersIn(workflow: Workflow): Set<string> {
  const names = new Set<string>();
  for (const node of Object.values(workflow)) {
    for (const value of Object.values(node.inputs)) {
      if (typeof value === 'string') for (const match of value.matchAll(TOKEN)) names.add(match[1]);
    }
  }
  return names;
}

/** A copy of the workflow with every placeholder filled; throws naming every one without a value. */
export function fillWorkflow(workflow: Workflow, values: PlaceholderValues): Workflow {
  const missing = new Set<string>();
  const valueOf = (name: string) => {
    const value = values[name as Placeholder];
    if (value === undefined) missing.add(name);
    return value ?? '';
  };
  const filled: Workflow = {};
  for (const [id, node] of Object.entries(workflow)) {
    const inputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node.inputs)) {
      if (typeof value !== 'string') inputs[key] = value;
      else {
        const whole = WHOLE.exec(value);
        inputs[key] = whole ? valueOf(whole[1]) : value.replace(TOKEN, (_m, name: string) => String(valueOf(name)));
      }
    }
    filled[id] = { ...node, inputs };
  }
  if (missing.size > 0) throw new MissingValue([...missing]);
  return filled;
}

export class MissingValue extends Error {
  constructor(readonly placeholders: string[]) {
    super(`the workflow needs ${placeholders.map((p) => `{{${p}}}`).join(' and ')}, which this request does not give`);
  }
}
