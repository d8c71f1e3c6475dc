// Where two runs diverge: the first differing step, the state keys that differ at each later step, and status and parameter differences.
import { isDeepStrictEqual } from 'node:util';
import type { Json } from '../src/convert.js';

export interface JsonChange {
  /** Dotted path of the key (`shared.order.total`); array items as `items[2]`. */
  path: string;
  /** Absent on one side: undefined (null is a value). */
  a?: Json;
  b?: Json;
}

/** The leaf-level differences of two JSON values. */
export function diffJson(a: Json | undefined, b: Json | undefined, path = ''): JsonChange[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => diffJson(a[key], b[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, index) => diffJson(item, b[index], `${path}[${index}]`));
  }
  const change: JsonChange = { path: path || '(root)' };
  if (a !== undefined) change.a = a;
  if (b !== undefined) change.b = b;
  return [change];
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface StepView {
  step: number;
  nodeId: string;
  state: Json;
}

export interface RunView {
  ref: string;
  status: string;
  parameters: Json;
  steps: StepView[];
}

export interface StepDifference {
  step: number;
  /** Node of each side; undefined where that run has no such step. */
  nodeA?: string;
  nodeB?: string;
  changes: JsonChange[];
}

export interface RunDiff {
  a: string;
  b: string;
  /** Steps both runs have the same state and node for, from 0 without a gap. */
  commonSteps: number;
  /** The first step that differs (or exists in only one run); null when the timelines are the same. */
  firstDifferingStep: number | null;
  steps: StepDifference[];
  status: { a: string; b: string } | null;
  parameters: JsonChange[];
}

export function diffRuns(a: RunView, b: RunView): RunDiff {
  const stepsA = new Map(a.steps.map((s) => [s.step, s]));
  const stepsB = new Map(b.steps.map((s) => [s.step, s]));
  const numbers = [...new Set([...stepsA.keys(), ...stepsB.keys()])].sort((x, y) => x - y);
  let firstDifferingStep: number | null = null;
  let commonSteps = 0;
  const steps: StepDifference[] = [];
  for (const number of numbers) {
    const left = stepsA.get(number);
    const right = stepsB.get(number);
    const same = left !== undefined && right !== undefined && left.nodeId === right.nodeId && isDeepStrictEqual(left.state, right.state);
    if (same && firstDifferingStep === null) {
      commonSteps++;
      continue;
    }
    if (same) continue;
    firstDifferingStep ??= number;
    steps.push({ step: number, nodeA: left?.nodeId, nodeB: right?.nodeId, changes: left && right ? diffJson(left.state, right.state) : [] });
  }
  return {
    a: a.ref,
    b: b.ref,
    commonSteps,
    firstDifferingStep,
    steps,
    status: a.status === b.status ? null : { a: a.status, b: b.status },
    parameters: diffJson(a.parameters, b.parameters),
  };
}
