/** Labelled form fields with their validation message, shared by the settings pages. */
import { ErrorMessage, HelperMessage, Label, Select, Stack, TextArea, Textfield, Toggle } from '@forge/react';

export interface FieldError {
  field: string;
  message: string;
}

export function errorFor(errors: FieldError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}

interface TextProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors: FieldError[];
  help?: string;
  type?: 'text' | 'password' | 'number';
  placeholder?: string;
  multiline?: boolean;
  /** Numbers get a narrow field unless told otherwise. */
  width?: 'xsmall' | 'small' | 'medium' | 'large' | 'xlarge';
}

export function TextField({ name, label, value, onChange, errors, help, type = 'text', placeholder, multiline, width }: TextProps) {
  const error = errorFor(errors, name);
  return (
    <Stack space="space.050">
      <Label labelFor={name}>{label}</Label>
      {multiline ? (
        <TextArea id={name} name={name} value={value} placeholder={placeholder} isInvalid={Boolean(error)} onChange={(e) => onChange(String(e.target.value ?? ''))} />
      ) : (
        <Textfield id={name} name={name} type={type} value={value} placeholder={placeholder} width={width ?? (type === 'number' ? 'small' : undefined)} isInvalid={Boolean(error)} onChange={(e) => onChange(String(e.target.value ?? ''))} />
      )}
      {error ? <ErrorMessage>{error}</ErrorMessage> : help ? <HelperMessage>{help}</HelperMessage> : null}
    </Stack>
  );
}

export function ToggleField({ name, label, checked, onChange }: { name: string; label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <Stack space="space.050">
      <Label labelFor={name}>{label}</Label>
      <Toggle id={name} isChecked={checked} onChange={() => onChange(!checked)} />
    </Stack>
  );
}

interface Option {
  label: string;
  value: string;
}

export function SelectField({ name, label, options, value, onChange, errors, help, multi, placeholder }: { name: string; label: string; options: Option[]; value: string[]; onChange: (value: string[]) => void; errors: FieldError[]; help?: string; multi?: boolean; placeholder?: string }) {
  const error = errorFor(errors, name);
  const selected = options.filter((o) => value.includes(o.value));
  return (
    <Stack space="space.050">
      <Label labelFor={name}>{label}</Label>
      <Select
        inputId={name}
        isMulti={multi}
        options={options}
        value={multi ? selected : selected[0]}
        placeholder={placeholder}
        onChange={(choice: Option | Option[] | null) => onChange(Array.isArray(choice) ? choice.map((c) => c.value) : choice ? [choice.value] : [])}
      />
      {error ? <ErrorMessage>{error}</ErrorMessage> : help ? <HelperMessage>{help}</HelperMessage> : null}
    </Stack>
  );
}
