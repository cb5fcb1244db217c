// Assertions for Evolution's error body.
import assert from 'node:assert/strict';
import type { CallResult } from './server.js';

const TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large' };

export function assertEvolutionError(result: CallResult, status: number, includes?: string | RegExp): void {
  assert.equal(result.status, status, `expected ${status}, got ${result.status}: ${result.text}`);
  assert.deepEqual(Object.keys(result.body).sort(), ['error', 'response', 'status']);
  assert.equal(result.body.status, status);
  assert.equal(result.body.error, TEXT[status] ?? result.body.error);
  const message = result.body.response.message;
  if (status === 401) assert.equal(message, 'Unauthorized');
  else assert.ok(Array.isArray(message) && message.length > 0, `message must be a non-empty array: ${result.text}`);
  if (includes !== undefined) {
    const all = Array.isArray(message) ? message.map((m: unknown) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' | ') : String(message);
    if (typeof includes === 'string') assert.ok(all.includes(includes), `"${all}" should include "${includes}"`);
    else assert.match(all, includes);
  }
}
