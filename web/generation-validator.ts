import { createRequire } from 'node:module';
import { GenerationCreate } from '../dist/src/contract/schemas.js';

const require = createRequire(import.meta.url);

/**
 * The standalone source of the Ajv check the server runs on `POST /v1/generations`, with the
 * options src/api/app.ts gives Fastify: the page reports the same first issue, mapped by the
 * same generationSchemaError.
 */
export function generationValidatorSource(): string {
  const Ajv = require('ajv').default;
  const addFormats = require('ajv-formats').default;
  const standalone = require('ajv/dist/standalone').default;
  const ajv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, code: { source: true, esm: true } });
  addFormats(ajv);
  const source: string = standalone(ajv, ajv.compile(GenerationCreate));
  const module = source.replace(/require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g, '__ucs2length').replace(/^"use strict";/, 'import __ucs2length from "ajv/dist/runtime/ucs2length";');
  if (module.includes('require(')) throw new Error('the generation validator needs a runtime helper this build does not import');
  return module;
}
