/** Every screen's text goes through Forge's translations, in the user's Jira locale. */
import React from 'react';
import ForgeReconciler, { I18nProvider, Spinner, useTranslation } from '@forge/react';
import { withParams, type Translate } from '../core/i18n';
import { setReaderLocale } from './call';

export function useT(): { t: Translate; ready: boolean; locale?: string } {
  const i18n = useTranslation();
  return { t: withParams(i18n.t), ready: i18n.ready, locale: i18n.ready ? i18n.locale : undefined };
}

/** Renders `children` once the translations of the user's locale are loaded; resolver calls then carry that locale. */
function WhenReady({ children }: { children: React.ReactNode }) {
  const i18n = useTranslation();
  if (i18n.ready) setReaderLocale(i18n.locale);
  return i18n.ready ? <>{children}</> : <Spinner />;
}

export function Translated({ children }: { children: React.ReactNode }) {
  return (
    <I18nProvider>
      <WhenReady>{children}</WhenReady>
    </I18nProvider>
  );
}

/** Renders a screen's root, its texts in the reader's language. */
export function renderScreen(App: React.ComponentType) {
  ForgeReconciler.render(
    <React.StrictMode>
      <Translated>
        <App />
      </Translated>
    </React.StrictMode>,
  );
}

/** A date and time in the reader's locale. */
export function when(iso: string | undefined, locale: string | undefined): string {
  return iso ? new Date(iso).toLocaleString(locale) : '';
}
