/**
 * Draws a UI Kit tree (the ForgeDoc the @forge/react reconciler sends over the bridge) with the
 * Atlassian Design System components Jira uses. A component the host cannot draw shows as an error.
 */
import React from 'react';
import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import Heading from '@atlaskit/heading';
import Link from '@atlaskit/link';
import Lozenge from '@atlaskit/lozenge';
import ProgressBar from '@atlaskit/progress-bar';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Select from '@atlaskit/select';
import Spinner from '@atlaskit/spinner';
import TextArea from '@atlaskit/textarea';
import Textfield from '@atlaskit/textfield';
import Toggle from '@atlaskit/toggle';
import Tabs, { Tab, TabList, TabPanel } from '@atlaskit/tabs';
import { AdfView } from './adf-view';
import { StackBarChartView } from './chart-view';
import { UserPickerView, UserView } from './user-picker';

export interface ForgeNode {
  type: string;
  props: Record<string, any>;
  children: ForgeNode[];
  key?: string;
}

const HEADING_SIZES: Record<string, 'xlarge' | 'large' | 'medium' | 'small' | 'xsmall'> = { xlarge: 'xlarge', large: 'large', medium: 'medium', small: 'small', xsmall: 'xsmall' };

function children(node: ForgeNode): React.ReactNode {
  return node.children.map((child, i) => <ForgeDocView key={child.key ?? i} node={child} />);
}

function cells(wrapper: ForgeNode | undefined) {
  return (wrapper?.children ?? []).map((cell, i) => ({ key: String(cell.props.cellKey ?? i), content: <>{children(cell)}</> }));
}

function table(node: ForgeNode) {
  const head = node.children.find((c) => c.type === 'ContentWrapper' && c.props.name === 'head');
  const rows = node.children.find((c) => c.type === 'ContentWrapper' && c.props.name === 'rows');
  return (
    <DynamicTable
      caption={node.props.caption}
      head={head ? { cells: cells(head) } : undefined}
      rows={(rows?.children ?? []).map((row, i) => ({ key: String(row.props.rowKey ?? i), cells: cells(row) }))}
      rowsPerPage={node.props.rowsPerPage ?? 10}
    />
  );
}

const event = (value: unknown, extra: Record<string, unknown> = {}) => ({ target: { value, ...extra } });

export function ForgeDocView({ node }: { node: ForgeNode }): React.ReactElement | null {
  const p = node.props;
  switch (node.type) {
    case 'Root':
    case 'ContentWrapper':
      return <>{children(node)}</>;
    case 'String':
      return <>{String(p.text)}</>;
    case 'Stack':
      return (
        <Stack space={p.space} alignInline={p.alignInline} grow={p.grow}>
          {children(node)}
        </Stack>
      );
    case 'Inline':
      return (
        <Inline space={p.space} alignBlock={p.alignBlock} alignInline={p.alignInline} shouldWrap={p.shouldWrap ?? true}>
          {children(node)}
        </Inline>
      );
    case 'Box':
      return (
        <Box padding={p.padding} role={p.role}>
          {children(node)}
        </Box>
      );
    case 'Link':
      return (
        <Link href={p.href} target={p.openNewTab ? '_blank' : undefined}>
          {children(node)}
        </Link>
      );
    case 'UserPicker':
      return <UserPickerView label={p.label} name={p.name} description={p.description} defaultValue={p.defaultValue} onChange={(user) => p.onChange?.(user)} />;
    case 'User':
      return <UserView accountId={String(p.accountId ?? '')} />;
    case 'ProgressBar':
      return <ProgressBar value={p.value} isIndeterminate={p.isIndeterminate} ariaLabel={p.ariaLabel ?? 'Progress'} />;
    case 'Text':
      return (
        <Text as="p" size={p.size}>
          {children(node)}
        </Text>
      );
    case 'Heading':
      return <Heading size={HEADING_SIZES[p.size] ?? 'medium'}>{children(node)}</Heading>;
    case 'Lozenge':
      return (
        <Lozenge appearance={p.appearance} isBold={p.isBold}>
          {children(node)}
        </Lozenge>
      );
    case 'Button':
      return (
        <Button appearance={p.appearance ?? 'default'} isDisabled={p.isDisabled} onClick={() => p.onClick?.()}>
          {children(node)}
        </Button>
      );
    case 'SectionMessage':
      return (
        <SectionMessage appearance={p.appearance ?? 'information'} title={p.title}>
          {children(node)}
        </SectionMessage>
      );
    case 'Spinner':
      return <Spinner label={p.label} size={p.size} />;
    case 'Code':
      return <code className="sbx-code">{children(node)}</code>;
    case 'AdfRenderer':
      return <AdfView doc={p.document} />;
    case 'DynamicTable':
      return table(node);
    case 'Label':
      return <Label htmlFor={p.labelFor}>{children(node)}</Label>;
    case 'ErrorMessage':
      return <ErrorMessage>{children(node)}</ErrorMessage>;
    case 'HelperMessage':
      return <HelperMessage>{children(node)}</HelperMessage>;
    case 'Textfield':
      return (
        <Textfield
          id={p.id}
          name={p.name}
          type={p.type}
          value={p.value ?? ''}
          placeholder={p.placeholder}
          width={p.width}
          isInvalid={p.isInvalid}
          isReadOnly={p.isReadOnly}
          onChange={(e) => p.onChange?.(event((e.target as HTMLInputElement).value))}
        />
      );
    case 'TextArea':
      return (
        <TextArea
          id={p.id}
          name={p.name}
          value={p.value ?? ''}
          placeholder={p.placeholder}
          isInvalid={p.isInvalid}
          onChange={(e) => p.onChange?.(event(e.target.value))}
        />
      );
    case 'Toggle':
      return <Toggle id={p.id} isChecked={p.isChecked} onChange={() => p.onChange?.(event(undefined, { checked: !p.isChecked }))} />;
    case 'Select':
      return <Select inputId={p.inputId} isMulti={p.isMulti} options={p.options} value={p.value ?? null} placeholder={p.placeholder} onChange={(choice: unknown) => p.onChange?.(choice)} />;
    case 'Tabs':
      return (
        <Tabs id={p.id ?? 'tabs'} onChange={(index) => p.onChange?.(index)} selected={p.selected} defaultSelected={p.defaultSelected}>
          {node.children.map((child, i) => (
            <ForgeDocView key={child.key ?? i} node={child} />
          ))}
        </Tabs>
      );
    case 'TabList':
      return <TabList>{node.children.map((child, i) => <ForgeDocView key={child.key ?? i} node={child} />)}</TabList>;
    case 'Tab':
      return <Tab>{children(node)}</Tab>;
    case 'TabPanel':
      return (
        <TabPanel>
          <div className="sbx-tab-panel">{children(node)}</div>
        </TabPanel>
      );
    case 'StackBarChart':
      return <StackBarChartView data={p.data ?? []} xAccessor={p.xAccessor} yAccessor={p.yAccessor} colorAccessor={p.colorAccessor} title={p.title} height={p.height} />;
    default:
      return (
        <div role="alert" className="sbx-unsupported">
          {`The sandbox host cannot draw the UI Kit component "${node.type}".`}
        </div>
      );
  }
}
