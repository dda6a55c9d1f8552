/** The project's choices about acting on results: the link type "Link as related" makes, and auto-applied labels. */
import React, { useState } from 'react';
import { Heading, Stack, Text } from '@forge/react';
import type { ProjectSettings } from '../../core/settings';
import { SelectField, TextField, type FieldError } from '../fields';
import { useT } from '../i18n';

export function ActingFields({ form, set, errors, linkTypes }: { form: ProjectSettings; set: <K extends keyof ProjectSettings>(key: K) => (value: ProjectSettings[K]) => void; errors: FieldError[]; linkTypes: string[] }) {
  const { t } = useT();
  const [threshold, setThreshold] = useState(String(form.autoApplyThreshold ?? 0.8));
  const types = linkTypes.includes(form.linkType) ? linkTypes : [form.linkType, ...linkTypes];
  return (
    <Stack space="space.150">
      <Heading size="medium">{t('project.actingTitle')}</Heading>
      <SelectField name="linkType" label={t('project.linkType')} options={types.map((type) => ({ label: type, value: type }))} value={[form.linkType]} onChange={(v) => set('linkType')(v[0] ?? 'Relates')} errors={errors} help={t('project.linkTypeHelp')} />
      <SelectField
        name="autoApplyLabels"
        label={t('project.autoApply')}
        options={[
          { label: t('project.autoApplyOff'), value: 'off' },
          { label: t('project.autoApplyDryRun'), value: 'dry-run' },
          { label: t('project.autoApplyOn'), value: 'on' },
        ]}
        value={[form.autoApplyLabels]}
        onChange={(v) => set('autoApplyLabels')((v[0] ?? 'off') as ProjectSettings['autoApplyLabels'])}
        errors={errors}
      />
      {form.autoApplyLabels !== 'off' ? (
        <TextField
          name="autoApplyThreshold"
          label={t('project.threshold')}
          type="number"
          value={threshold}
          onChange={(value) => {
            setThreshold(value);
            set('autoApplyThreshold')(value === '' ? Number.NaN : Number(value));
          }}
          errors={errors}
          help={t('project.thresholdHelp')}
        />
      ) : null}
      <Text>{t(`project.autoApplyHelp.${form.autoApplyLabels}`)}</Text>
    </Stack>
  );
}
