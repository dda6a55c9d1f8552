import type { ValidationContext } from '../core/settings';

/** http on loopback is allowed only where the sandbox says so; deployed apps never set this. */
export function validationContext(): ValidationContext {
  return { allowLoopback: process.env.TICKET_ENHANCER_SANDBOX === 'true' };
}
