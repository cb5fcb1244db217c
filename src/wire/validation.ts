// Zod issues → Evolution-style validation messages that name the field
// (`instance requires property "text"`, `delay is not of a type(s) integer`, `The "x" cannot be empty`).
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = { int: 'integer', safeint: 'integer' };

function fieldPath(path: PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Zod's own texts; anything else is a message a schema chose (and is used as written). */
const ZOD_DEFAULT = /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Unrecognized key|Invalid element|Invalid key)/;

export function issueToMessage(issue: Issue, input: unknown): string {
  const path = issue.path;
  const field = fieldPath(path);
  const parent = path.length > 1 ? fieldPath(path.slice(0, -1)) : 'instance';
  const leaf = String(path[path.length - 1] ?? '');
  const atPath = valueAt(input, path);

  if (issue.code !== 'custom' && !ZOD_DEFAULT.test(issue.message)) return issue.message;
  if (atPath === undefined && path.length > 0 && (issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
    return `${parent} requires property "${leaf}"`;
  }
  switch (issue.code) {
    case 'invalid_type': {
      if (path.length === 0) return 'the request body must be a JSON object';
      if (atPath === undefined) return `${parent} requires property "${leaf}"`;
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return `${field} is not of a type(s) ${expected}`;
    }
    case 'invalid_value':
      return `${field || 'value'} is not one of enum values: ${issue.values.map(String).join(',')}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `The "${leaf}" cannot be empty`;
      return `${field} must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters long' : ''}`;
    case 'too_big':
      return `${field} must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters long' : ''}`;
    case 'invalid_format':
      return `${field} has an invalid format`;
    case 'invalid_union': {
      const types = [...new Set(issue.errors.flat().map((e) => (e.code === 'invalid_type' ? (TYPE_NAMES[e.expected] ?? e.expected) : undefined)).filter(Boolean))];
      return types.length > 0 ? `${field} is not of a type(s) ${types.join(',')}` : `${field} is invalid`;
    }
    case 'unrecognized_keys':
      return `${field || 'instance'} has unknown properties: ${issue.keys.join(', ')}`;
    default:
      // Custom issues carry their own message; one that starts with "must" is about the field at the path.
      return issue.message.startsWith('must ') && field !== '' ? `${field} ${issue.message}` : issue.message;
  }
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
