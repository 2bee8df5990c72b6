/*
 * The conventions' JSON schemas of the content attributes, from
 * ../shared/semconv-genai (absent in a user's clone: `schemasAvailable` is
 * false and tests that need them skip).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { SHARED_DIR } from './paths';

const DIR = path.join(SHARED_DIR, 'semconv-genai', 'model', 'gen-ai');
const FILES = {
  'gen_ai.input.messages': 'gen-ai-input-messages.json',
  'gen_ai.output.messages': 'gen-ai-output-messages.json',
  'gen_ai.system_instructions': 'gen-ai-system-instructions.json',
  'gen_ai.tool.definitions': 'gen-ai-tool-definitions.json',
} as const;

export type ContentAttribute = keyof typeof FILES;
export const CONTENT_ATTRIBUTES = Object.keys(FILES) as ContentAttribute[];
export const schemasAvailable = existsSync(DIR);

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('binary', true);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** Asserts that the attribute's JSON string is valid against its schema. */
export function assertValidContent(attribute: ContentAttribute, json: unknown): void {
  assert.equal(typeof json, 'string', `${attribute} is a JSON string`);
  const value = JSON.parse(json as string);
  let validate = validators.get(attribute);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(path.join(DIR, FILES[attribute]), 'utf8')));
    validators.set(attribute, validate);
  }
  assert.ok(validate(value), `${attribute}: ${ajv.errorsText(validate.errors)}\n${(json as string).slice(0, 500)}`);
}
