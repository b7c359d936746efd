const FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

/** A one-line spinner on a terminal; silent when the stream isn't a TTY. */
export function progressLine(stream: NodeJS.WriteStream) {
  let frame = 0;
  let shown = false;
  return {
    update(text: string, elapsedMs: number) {
      if (!stream.isTTY) return;
      shown = true;
      stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text} ${Math.round(elapsedMs / 1000)}s`);
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}

/** `<id> processing 42% generating`: the state, and the progress extension field when the server sends it. */
export function describeState(generation: { id: string; state: string; progress?: { fraction: number; stage: string }; queue?: { position: number } }): string {
  const { progress, queue } = generation;
  const detail = progress ? ` ${Math.round(progress.fraction * 100)}% ${progress.stage}` : queue ? ` #${queue.position} in line` : '';
  return `${generation.id} ${generation.state}${detail}`;
}
