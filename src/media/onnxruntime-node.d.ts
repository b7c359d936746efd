// onnxruntime-node 1.17 names a declaration file it doesn't ship; this declares the little segment.ts uses.
declare module 'onnxruntime-node' {
  export class Tensor {
    constructor(type: 'float32', data: Float32Array, dims: readonly number[]);
    readonly dims: readonly number[];
    readonly data: Float32Array;
  }
  export class InferenceSession {
    static create(model: Uint8Array, options?: { graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all'; enableCpuMemArena?: boolean }): Promise<InferenceSession>;
    run(feeds: Record<string, Tensor>, fetches?: readonly string[]): Promise<Record<string, Tensor>>;
  }
}
