/**
 * The resolvers' texts in the reader's Jira locale (`context.locale`): Forge's function i18n reads
 * the same locale files as the screens. English stands in when no locale is given.
 */
import { i18n } from '@forge/api';
import { english } from '../core/english';
import { withParams, type Translate } from '../core/i18n';

export async function translatorFor(locale: string | undefined): Promise<Translate> {
  if (!locale) return english;
  return withParams(await i18n.createTranslationFunction(locale));
}
