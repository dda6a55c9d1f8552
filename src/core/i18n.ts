/**
 * Translation helpers shared by the screens and the resolvers. Forge's translation functions
 * (`useTranslation` in UI Kit, `i18n.createTranslationFunction` in functions) look a key up in
 * the locale files (src/locales, declared under `translations` in manifest.yml); values may hold
 * `{name}` placeholders, filled here.
 */

/** A key and its values, as the screens and the panel view produce text. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

export function interpolate(text: string, params?: Record<string, string | number>): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export interface LocaleResource {
  [key: string]: string | LocaleResource;
}

/** A Translate over one locale file: a missing key reads as the key itself, as Forge's does. */
export function translatorFrom(resource: LocaleResource): Translate {
  return (key, params) => {
    let node: string | LocaleResource | undefined = resource;
    for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
    return interpolate(typeof node === 'string' ? node : key, params);
  };
}

/** Wraps a Forge translation function (`t(key)`) so it fills placeholders. */
export function withParams(t: (key: string) => string): Translate {
  return (key, params) => interpolate(t(key), params);
}

/**
 * A text not yet worded: its locale key and values. A value may itself be a Message (a field's
 * name, a kind of address), worded in the same locale. The backend returns Messages worded for the
 * reader; what it stores and logs is worded in English.
 */
export interface Message {
  key: string;
  params?: Record<string, string | number | Message>;
}

export function say(t: Translate, message: Message): string {
  const params = message.params
    ? Object.fromEntries(Object.entries(message.params).map(([name, value]) => [name, typeof value === 'object' ? say(t, value) : value]))
    : undefined;
  return t(message.key, params);
}
