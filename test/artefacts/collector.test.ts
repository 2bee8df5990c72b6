/*
 * docs/collector/gateway.yaml against what the instrumentation emits: each
 * tail-sampling policy, evaluated as the Collector evaluates it, must match
 * a span of the workload (test/utils/emitted.ts) and must not match an
 * ordinary call; the optional cost enrichment must agree with our prices.
 */
import { emitted, isError, ordinaryCall, type Emitted } from '../utils/emitted';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { parse } from 'yaml';
import { BUILTIN_PRICES } from '../../src/mapping/prices';
import { REPO_ROOT } from '../utils/paths';

interface Policy {
  name: string;
  type: string;
  [config: string]: unknown;
}

const gateway = parse(readFileSync(path.join(REPO_ROOT, 'docs', 'collector', 'gateway.yaml'), 'utf8')) as {
  processors: Record<string, Record<string, unknown>>;
  service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
};
const policies = (gateway.processors.tail_sampling as { policies: Policy[] }).policies;

/** A span predicate for one OTTL span condition, in the forms the file uses; anything else fails the test. */
function ottlCondition(condition: string): (attributes: Attributes) => boolean {
  const contains = /^ContainsValue\(attributes\["([^"]+)"\], "([^"]*)"\)$/.exec(condition);
  if (contains) {
    const [, key, item] = contains;
    // ContainsValue reads a slice: on a missing or non-array attribute it errors, and error_mode: ignore makes that false.
    return (a) => Array.isArray(a[key]) && (a[key] as unknown[]).includes(item);
  }
  const compare = /^attributes\["([^"]+)"\] (==|!=|>|>=|<|<=) ("[^"]*"|-?\d+(?:\.\d+)?|true|false)$/.exec(condition);
  if (compare) {
    const [, key, op, literal] = compare;
    const expected: unknown = JSON.parse(literal);
    return (a) => {
      const v = a[key];
      if (v === undefined) return op === '!=';
      if (typeof expected === 'number') {
        if (typeof v !== 'number') return false;
        return {
          '==': v === expected,
          '!=': v !== expected,
          '>': v > expected,
          '>=': v >= expected,
          '<': v < expected,
          '<=': v <= expected,
        }[op]!;
      }
      return op === '==' ? v === expected : op === '!=' ? v !== expected : false;
    };
  }
  throw new Error(`the test cannot evaluate the OTTL condition ${condition}: extend ottlCondition()`);
}

/** The span predicates of a policy (one per OTTL condition, else one), or undefined for a policy on the trace as a whole. */
function predicates(policy: Policy): Array<{ what: string; matches: (span: ReadableSpan) => boolean }> | undefined {
  const config = policy[policy.type] as Record<string, unknown>;
  switch (policy.type) {
    case 'status_code': {
      const codes = config.status_codes as string[];
      assert.deepEqual(codes, ['ERROR']);
      return [{ what: 'status ERROR', matches: isError }];
    }
    case 'string_attribute': {
      const key = config.key as string;
      const values = config.values as string[];
      const regex = config.enabled_regex_matching === true;
      // As the Collector reads it: plain strings only (an array's Str() is empty).
      const ok = (v: unknown) =>
        typeof v === 'string' &&
        v !== '' &&
        (regex ? values.some((r) => new RegExp(`^(?:${r})$`).test(v)) : values.includes(v));
      return [{ what: `${key} in ${values}`, matches: (s) => ok(s.attributes[key]) }];
    }
    case 'numeric_attribute': {
      const key = config.key as string;
      const min = (config.min_value as number | undefined) ?? -Infinity;
      const max = (config.max_value as number | undefined) ?? Infinity;
      // Integers only: the Collector reads the attribute with Int().
      const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
      return [{ what: `${key} in [${min}, ${max}]`, matches: (s) => ok(s.attributes[key]) }];
    }
    case 'boolean_attribute': {
      const key = config.key as string;
      return [{ what: `${key} = ${config.value}`, matches: (s) => s.attributes[key] === config.value }];
    }
    case 'ottl_condition': {
      assert.equal(
        config.error_mode,
        'ignore',
        `${policy.name}: a span without the attribute must not fail the policy`
      );
      return (config.span as string[]).map((c) => {
        const test = ottlCondition(c);
        return { what: c, matches: (s: ReadableSpan) => test(s.attributes) };
      });
    }
    case 'latency':
      assert.ok((config.threshold_ms as number) > 0);
      return undefined;
    case 'probabilistic':
      assert.equal(config.sampling_percentage, 10);
      return undefined;
    default:
      throw new Error(`the test cannot evaluate a ${policy.type} policy (${policy.name}): extend predicates()`);
  }
}

describe('docs/collector: tail-sampling policies match what we emit', function () {
  this.timeout(30000);
  let e: Emitted;
  let ordinary: ReadableSpan;

  before(async () => {
    e = await emitted();
    ordinary = ordinaryCall(e);
  });

  it('the gateway pipeline samples traces with tail_sampling and exports them', () => {
    const traces = gateway.service.pipelines.traces;
    assert.deepEqual(traces.receivers, ['otlp']);
    assert.ok(traces.processors?.includes('tail_sampling'));
    assert.ok(traces.processors!.indexOf('tail_sampling') < traces.processors!.indexOf('batch'));
    assert.deepEqual(traces.exporters, ['otlphttp/traces']);
    assert.deepEqual(
      policies.map((p) => p.type).sort(),
      [
        'boolean_attribute',
        'latency',
        'numeric_attribute',
        'ottl_condition',
        'ottl_condition',
        'probabilistic',
        'status_code',
        'string_attribute',
        'string_attribute',
      ].sort()
    );
  });

  for (const file of ['gateway.yaml', 'loadbalancer.yaml']) {
    it(`${file}: every component a pipeline names is configured, and every configured one is used`, () => {
      // What otelcol would reject at start-up (no Collector runs in the tests: see docs/collector/README.md).
      const config = parse(readFileSync(path.join(REPO_ROOT, 'docs', 'collector', file), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      const pipelines = (config.service as { pipelines: Record<string, Record<string, string[]>> }).pipelines;
      const used = new Set<string>();
      for (const [name, pipeline] of Object.entries(pipelines)) {
        for (const kind of ['receivers', 'processors', 'exporters']) {
          for (const component of pipeline[kind] ?? []) {
            assert.ok(component in (config[kind] ?? {}), `${file}: pipeline ${name} names ${kind} ${component}`);
            used.add(`${kind}/${component}`);
          }
        }
        assert.ok(pipeline.receivers?.length && pipeline.exporters?.length, `${file}: ${name} needs both ends`);
      }
      for (const kind of ['receivers', 'processors', 'exporters']) {
        for (const component of Object.keys(config[kind] ?? {})) {
          // The cost enrichment is optional: the README says how to add it to the traces pipeline.
          if (component === 'transform/gen_ai_cost') continue;
          assert.ok(used.has(`${kind}/${component}`), `${file}: ${kind} ${component} is configured but unused`);
        }
      }
    });
  }

  for (const policy of policies) {
    it(`${policy.name} (${policy.type})`, () => {
      const checks = predicates(policy);
      if (!checks) return; // on the whole trace (duration, trace id): nothing an attribute could get wrong
      for (const { what, matches } of checks) {
        const hits = e.spans.filter(matches);
        assert.ok(hits.length > 0, `${policy.name}: no emitted span has ${what}`);
        assert.ok(!matches(ordinary), `${policy.name}: an ordinary call matches ${what}`);
      }
    });
  }

  it('the QA policy sees the role the workload sent in baggage, on the GenAI spans', () => {
    const qa = e.spans.filter((s) => s.attributes['enduser.role'] === 'qa').map((s) => s.name);
    assert.ok(qa.includes('generate_content gemini-2.5-flash'));
    assert.ok(qa.includes('agent.run'));
  });

  it('cost enrichment: the list prices of our price table, and our own figure when recomputed', () => {
    const statements = (
      gateway.processors['transform/gen_ai_cost'].trace_statements as Array<{ statements: string[] }>
    )[0].statements;
    assert.ok(statements.length > 0);
    const statement =
      /^set\(attributes\["gen_ai\.cost\.usd"\], \(Double\(attributes\["gen_ai\.usage\.input_tokens"\]\) \* ([\d.]+) \+ Double\(attributes\["gen_ai\.usage\.output_tokens"\]\) \* ([\d.]+)\) \/ 1000000\) where attributes\["gen_ai\.cost\.usd"\] == nil and attributes\["gen_ai\.usage\.output_tokens"\] != nil and IsMatch\(attributes\["gen_ai\.request\.model"\], "\^([a-z0-9.\\-]+)\$"\)$/;
    for (const s of statements) {
      const m = statement.exec(s);
      assert.ok(m, `unexpected statement: ${s}`);
      const model = m[3].replace(/\\\\/g, '');
      const price = BUILTIN_PRICES[model];
      assert.ok(price, `${model} is in the price table`);
      assert.deepEqual([Number(m[1]), Number(m[2])], [price.input, price.output], model);
      if (model === 'gemini-2.5-flash') {
        // The same arithmetic on an ordinary span gives our own gen_ai.cost.usd (no cache, short context).
        const a = ordinary.attributes;
        const cost =
          ((a['gen_ai.usage.input_tokens'] as number) * Number(m[1]) +
            (a['gen_ai.usage.output_tokens'] as number) * Number(m[2])) /
          1e6;
        assert.equal(cost, a['gen_ai.cost.usd']);
      }
    }
  });
});
