// Writes docs/openapi.json from the compiled contract; a test checks it for drift.
import fs from 'node:fs';
import { openApiDocument } from '../dist/src/contract/openapi.js';

fs.writeFileSync('docs/openapi.json', JSON.stringify(openApiDocument(), null, 2) + '\n');
