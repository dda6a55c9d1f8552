/** The English texts (src/locales/en-US.json): the default wherever no locale is given. */
import en from '../locales/en-US.json';
import { translatorFrom, type LocaleResource } from './i18n';

export const english = translatorFrom(en as LocaleResource);
