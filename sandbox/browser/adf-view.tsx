/** Draws ADF (issue descriptions, AdfRenderer documents) with Atlassian's heading and plain HTML. */
import React from 'react';
import Heading from '@atlaskit/heading';

interface AdfNode {
  type: string;
  text?: string;
  attrs?: Record<string, any>;
  marks?: Array<{ type: string; attrs?: Record<string, any> }>;
  content?: AdfNode[];
}

const SIZES = ['xlarge', 'large', 'medium', 'small', 'xsmall', 'xxsmall'] as const;

/**
 * Only web, mail and same-site links are drawn as links, as Jira's renderer allows; any other
 * scheme (`javascript:`, `data:`, `vbscript:`) is drawn as its text, whatever the app sent.
 */
function safeHref(href: unknown): string | undefined {
  if (typeof href !== 'string') return undefined;
  try {
    const url = new URL(href, window.location.origin);
    return ['https:', 'http:', 'mailto:'].includes(url.protocol) ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function marks(node: AdfNode, child: React.ReactNode): React.ReactNode {
  return (node.marks ?? []).reduce<React.ReactNode>((inner, mark) => {
    switch (mark.type) {
      case 'strong':
        return <strong>{inner}</strong>;
      case 'em':
        return <em>{inner}</em>;
      case 'code':
        return <code className="sbx-code">{inner}</code>;
      case 'strike':
        return <s>{inner}</s>;
      case 'link': {
        const href = safeHref(mark.attrs?.href);
        return href ? (
          <a href={href} target="_blank" rel="noreferrer">
            {inner}
          </a>
        ) : (
          inner
        );
      }
      default:
        return inner;
    }
  }, child);
}

function kids(node: AdfNode): React.ReactNode[] {
  return (node.content ?? []).map((child, i) => <AdfNodeView key={i} node={child} />);
}

function AdfNodeView({ node }: { node: AdfNode }): React.ReactElement | null {
  switch (node.type) {
    case 'doc':
      return <div className="sbx-adf">{kids(node)}</div>;
    case 'paragraph':
      return <p>{kids(node)}</p>;
    case 'text':
      return <>{marks(node, node.text ?? '')}</>;
    case 'hardBreak':
      return <br />;
    case 'heading':
      return <Heading size={SIZES[Math.min(Math.max(Number(node.attrs?.level ?? 2), 1), 6) - 1]}>{kids(node)}</Heading>;
    case 'bulletList':
      return <ul>{kids(node)}</ul>;
    case 'orderedList':
      return <ol start={node.attrs?.order}>{kids(node)}</ol>;
    case 'listItem':
    case 'taskItem':
      return <li>{kids(node)}</li>;
    case 'taskList':
      return <ul>{kids(node)}</ul>;
    case 'codeBlock':
      return (
        <pre className="sbx-code-block">
          <code>{(node.content ?? []).map((c) => c.text).join('')}</code>
        </pre>
      );
    case 'blockquote':
      return <blockquote>{kids(node)}</blockquote>;
    case 'rule':
      return <hr />;
    case 'mention':
      return <span className="sbx-mention">{String(node.attrs?.text ?? '@someone')}</span>;
    case 'emoji':
      return <span>{String(node.attrs?.text ?? node.attrs?.shortName ?? '')}</span>;
    case 'inlineCard': {
      const href = safeHref(node.attrs?.url);
      return href ? <a href={href}>{String(node.attrs?.url ?? '')}</a> : <span>{String(node.attrs?.url ?? '')}</span>;
    }
    case 'table':
      return (
        <table className="sbx-table">
          <tbody>{kids(node)}</tbody>
        </table>
      );
    case 'tableRow':
      return <tr>{kids(node)}</tr>;
    case 'tableHeader':
      return <th>{kids(node)}</th>;
    case 'tableCell':
      return <td>{kids(node)}</td>;
    default:
      return <span>{kids(node)}</span>;
  }
}

export function AdfView({ doc }: { doc: unknown }) {
  if (!doc || typeof doc !== 'object') return null;
  return <AdfNodeView node={doc as AdfNode} />;
}
