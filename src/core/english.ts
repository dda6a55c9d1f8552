/** The English texts (src/locales/en-US.json): the default wherever no locale is given. */
import en from '../locales/en-US.json';
import { say, translatorFrom, type LocaleResource, type Message } from './i18n';

export const english = translatorFrom(en as LocaleResource);

/** A Message worded in English, for what is stored and logged. */
export const inEnglish = (message: Message): string => say(english, message);
