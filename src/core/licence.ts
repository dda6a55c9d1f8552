import { english } from './english';

/**
 * The app's licence as Forge reports it (`context.license`, `LicenseDetails`): present only for a
 * paid app on a production site; undefined in development and staging and for free apps, which
 * therefore count as licensed. An evaluation is an active licence.
 */
export interface LicenseDetails {
  active?: boolean;
  isActive?: boolean;
  isEvaluation?: boolean;
  trialEndDate?: string | null;
}

export type LicenceState = 'active' | 'evaluation' | 'inactive' | 'not-reported';

export function licenceState(license: LicenseDetails | undefined | null): LicenceState {
  if (!license) return 'not-reported';
  if (license.active === false || license.isActive === false) return 'inactive';
  return license.isEvaluation ? 'evaluation' : 'active';
}

/** In English: for run reasons and Automation's audit log, which are not translated. */
export const UNLICENSED_MESSAGE = english('licence.message');

/** What every resolver answers while the licence is not active; the screens show it instead of their content. */
export interface UnlicensedAnswer {
  unlicensed: true;
  message: string;
}

export function unlicensedAnswer(): UnlicensedAnswer {
  return { unlicensed: true, message: UNLICENSED_MESSAGE };
}
