import type { Parameter, ParameterInference } from './parameters.ts';

/** Bounds on what a version records about its parameters, so its item stays far below 400 KB. */
export const PARAMETER_LIMITS = {
  parameters: 200,
  problems: 50,
  sourceChars: 4096,
  helpChars: 1000,
  problemChars: 300,
  // DynamoDB refuses documents nested deeper than 32 levels; stay well inside.
  depth: 16,
} as const;

const depthOf = (value: unknown): number => {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child));
    if (deepest >= PARAMETER_LIMITS.depth) break;
  }
  return deepest + 1;
};

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const bound = (p: Parameter): Parameter => {
  const help = cut(p.help, PARAMETER_LIMITS.helpChars);
  if (p.defaultSource.length <= PARAMETER_LIMITS.sourceChars && depthOf(p.default) < PARAMETER_LIMITS.depth)
    return { ...p, help };
  return {
    ...p,
    help,
    default: null,
    defaultSource: cut(p.defaultSource, PARAMETER_LIMITS.sourceChars),
    truncated: true,
  };
};

/** Keeps an inference within PARAMETER_LIMITS: long or deep defaults are cut and flagged, long lists shortened. */
export const limitInference = (inference: ParameterInference): ParameterInference => {
  const problems = inference.problems.slice(0, PARAMETER_LIMITS.problems).map((p) => ({
    ...p,
    text: cut(p.text, PARAMETER_LIMITS.problemChars),
    reason: cut(p.reason, PARAMETER_LIMITS.problemChars),
  }));
  const dropped = inference.parameters.length - PARAMETER_LIMITS.parameters;
  if (dropped > 0)
    problems.push({
      line: 0,
      text: '',
      reason: `${dropped} more parameters are not recorded (at most ${PARAMETER_LIMITS.parameters})`,
    });
  return { ...inference, parameters: inference.parameters.slice(0, PARAMETER_LIMITS.parameters).map(bound), problems };
};
