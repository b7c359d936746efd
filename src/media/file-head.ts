import fs from 'node:fs/promises';

/** The first `length` bytes of a file (fewer if it is shorter), without reading the rest. */
export async function readFileHead(file: string, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
