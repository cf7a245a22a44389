import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { CONFIG_DOC_FILE, SCHEMA_FILE, configDocText, schemaText } from '../../scripts/generate.js';

type Node = { description?: string; properties?: Record<string, Node>; additionalProperties?: Node | boolean };

describe('files generated from the key table', () => {
  it('the JSON Schema is checked in as generated (run `npm run generate` after changing src/config/keys.ts)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaText());
  });

  it('the key table in docs/configuration.md is checked in as generated (run `npm run generate`)', () => {
    assert.equal(readFileSync(CONFIG_DOC_FILE, 'utf8'), configDocText());
  });
});

describe('JSON Schema', () => {
  it('describes every key, at every depth', () => {
    const missing: string[] = [];
    const walk = (node: Node, path: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) missing.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
      }
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}*.`);
    };
    const schema = configJsonSchema() as Node;
    walk(schema, '');
    assert.deepEqual(missing, []);
    assert.ok(Object.keys(schema.properties ?? {}).includes('iam_region'));
  });

  it('describes the input form: plugins as a list or a string, defaults shown, unknown keys refused', () => {
    const schema = configJsonSchema() as Record<string, any>;
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(
      schema.properties.plugins.anyOf.map((o: { type: string }) => o.type),
      ['array', 'string'],
    );
    assert.equal(schema.properties.iam_expiration.default, 870);
    assert.equal(schema.properties.connections.additionalProperties.properties.connections, undefined);
  });
});
