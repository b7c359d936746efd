import fs from 'node:fs';
import path from 'node:path';

export interface BlobFile {
  key: string;
  file: string;
  size: number;
}

/** What an interrupted local write leaves (see LocalBlobStore): never a blob. */
const TEMP = /\.[0-9a-f]{12}\.tmp$/;

/** Every blob under a data dir's `blobs/`, depth first, one directory listing in memory at a time. */
export async function* blobFiles(root: string, prefix = ''): AsyncGenerator<BlobFile> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(path.join(root, prefix), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* blobFiles(root, key);
    else if (entry.isFile() && !TEMP.test(entry.name)) {
      const file = path.join(root, key);
      yield { key, file, size: (await fs.promises.stat(file)).size };
    }
  }
}
