export { Moderation, type ModerationStage } from './moderation.js';
export { ImageClassifier, type Prediction } from './image-classifier.js';
export { createPromptFilter, type PromptFilter } from './prompt-filter.js';
