import type { SecretScope } from './settings';
import type { KeyEncoding } from './signing';

/**
 * How a callback URL names the secret its delivery was signed with, so the callback web trigger
 * can verify before it reads the run. No imports beyond types: the issue trigger's delivery chunk
 * builds these URLs' parts and must stay small.
 */

/** `global` or `project-<id>`. */
export function secretParam(scope: SecretScope): string {
  return scope.kind === 'global' ? 'global' : `project-${scope.projectId}`;
}

/** The secret a callback URL names; undefined when it names none (URLs sent by earlier versions) or none that can exist. */
export function callbackSecret(secret: string | undefined, encoding: string | undefined): { scope: SecretScope; encoding: KeyEncoding } | undefined {
  if (encoding !== 'base64' && encoding !== 'utf8') return undefined;
  if (secret === 'global') return { scope: { kind: 'global' }, encoding };
  const project = /^project-(\d{1,18})$/.exec(secret ?? '');
  return project ? { scope: { kind: 'project', projectId: project[1] }, encoding } : undefined;
}

export const sameScope = (a: SecretScope, b: SecretScope): boolean => (a.kind === 'global' ? b.kind === 'global' : b.kind === 'project' && a.projectId === b.projectId);
