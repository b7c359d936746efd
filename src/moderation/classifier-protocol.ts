/** Messages between the image classifier and its worker thread. */

/** Side of the square RGB image the model takes. */
export const CLASSIFIER_SIDE = 224;

export interface ClassifierRequest {
  id: number;
  /** CLASSIFIER_SIDE² RGB pixels, 8 bits each. */
  pixels: Uint8Array;
}

export interface Prediction {
  className: string;
  probability: number;
}

export type ClassifierReply = { id: number; predictions: Prediction[]; error?: undefined } | { id: number; error: string };
