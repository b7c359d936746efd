import type { Logger } from 'pino';
import { monotonicMs } from '../clock.js';
import type { ImageClass, ModerationConfig } from '../config.js';
import type { Events } from '../events.js';
import { ImageClassifier, type Prediction } from './image-classifier.js';
import { createPromptFilter, type PromptFilter } from './prompt-filter.js';

export type ModerationStage = 'prompt' | 'input' | 'output' | 'file';

export interface ModerationDeps {
  events: Events;
  logger: Logger;
}

/**
 * The moderation stage of a job (spec §3.9: prompt, inputs and outputs). `prompt` mode checks
 * prompts; `full` also classifies every input image and every image output; `off` checks nothing.
 * Each check answers whether the generation must fail as `content_moderated`.
 */
export class Moderation {
  private readonly prompts: PromptFilter | null;
  private readonly classifier: ImageClassifier | null;
  private readonly thresholds: Array<[ImageClass, number]>;

  constructor(
    config: Readonly<ModerationConfig>,
    private readonly deps: ModerationDeps,
  ) {
    this.prompts = config.mode === 'off' ? null : createPromptFilter(config);
    this.classifier = config.mode === 'full' ? new ImageClassifier(deps.logger) : null;
    this.thresholds = Object.entries(config.imageThresholds) as Array<[ImageClass, number]>;
  }

  flagsPrompt(generationId: string, prompt: string): boolean {
    if (!this.prompts) return false;
    const started = monotonicMs();
    const term = this.prompts.match(prompt);
    this.decided(generationId, 'prompt', term !== null, started, { term });
    return term !== null;
  }

  /** `subjectId` is the generation (or, at stage `file`, the uploaded file); `path` names the image in logs: `source`, `output[0]`. */
  async flagsImage(subjectId: string, stage: Exclude<ModerationStage, 'prompt'>, path: string, bytes: Buffer): Promise<boolean> {
    if (!this.classifier) return false;
    const started = monotonicMs();
    const scores = await this.classifier.classify(bytes);
    const over = this.over(scores);
    this.decided(subjectId, stage, over.length > 0, started, { path, over });
    return over.length > 0;
  }

  close(): Promise<void> {
    return this.classifier?.close() ?? Promise.resolve();
  }

  /** The configured classes whose score reached their threshold. */
  private over(scores: Prediction[]): string[] {
    return this.thresholds
      .filter(([name, threshold]) => (scores.find((s) => s.className === name)?.probability ?? 0) >= threshold)
      .map(([name]) => name);
  }

  private decided(subjectId: string, stage: ModerationStage, flagged: boolean, started: number, detail: object): void {
    const ms = monotonicMs() - started;
    this.deps.events.emit('moderation:decided', { subjectId, stage, flagged, ms });
    if (flagged) this.deps.logger.info({ subjectId, stage, ...detail }, stage === 'file' ? 'moderation flagged a file' : 'moderation flagged a generation');
  }
}
