import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CqError } from '../lib/errors.js';
import type { ModelDefinition, ModelLayer } from './model.js';

const LAYERS: readonly ModelLayer[] = ['staging', 'core', 'marts'];
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Discovers every model: each `transforms/warehouse/<layer>/*.ts` file default-exports one
 * `ModelDefinition` whose name equals the file name. Adding a model is adding a file.
 *
 * @example
 * const models = await discoverModels(); // [{ name: 'stg_lender__branches', ... }, ...]
 */
export async function discoverModels(layers: readonly ModelLayer[] = LAYERS): Promise<ModelDefinition[]> {
  const models: ModelDefinition[] = [];
  for (const layer of layers) {
    const dir = join(here, layer);
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
    } catch {
      continue;
    }
    for (const file of files) {
      const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: ModelDefinition };
      const model = mod.default;
      const expected = file.replace(/\.ts$/, '');
      if (!model || typeof model.query !== 'function') {
        throw new CqError('MODEL_INVALID', `transforms/warehouse/${layer}/${file}: must default-export defineModel({...}).`);
      }
      if (model.name !== expected || model.layer !== layer) {
        throw new CqError(
          'MODEL_INVALID',
          `transforms/warehouse/${layer}/${file}: declares ${model.layer}.${model.name}; the file must be named ${model.name}.ts in folder ${model.layer}/ (schema = folder, table = file).`,
        );
      }
      models.push(model);
    }
  }
  return models;
}
