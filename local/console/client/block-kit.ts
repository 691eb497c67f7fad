import { h } from './dom';
import { parseMrkdwn, parsePlainText, plainText, type Inline } from './mrkdwn';

type Json = Record<string, unknown>;

/** A button's `confirm` dialog: Slack asks this before it sends the click. */
export interface ConfirmSpec {
  readonly title: string;
  readonly text: string;
  readonly confirm: string;
  readonly deny: string;
}

/** A Block Kit button as the message carries it. */
export interface ButtonSpec {
  readonly actionId: string;
  readonly value: string;
  readonly text: string;
  readonly style?: string;
  readonly confirm?: ConfirmSpec;
}

/** The plain text of a text object (how Slack shows a confirm dialog's parts). */
const textOf = (value: unknown): string =>
  plainText(string(record(value).text), record(value).emoji !== false);

function confirmSpec(value: unknown): ConfirmSpec | undefined {
  const confirm = record(value);
  if (!confirm.text) return undefined;
  return {
    title: textOf(confirm.title) || 'Are you sure?',
    text: textOf(confirm.text),
    confirm: textOf(confirm.confirm) || 'Yes',
    deny: textOf(confirm.deny) || 'Cancel',
  };
}

/** How a rendering is wired into the page. */
export interface RenderOptions {
  /** Makes a button pressable (sets its handler and accessible name); unwired buttons are disabled. */
  readonly button?: (spec: ButtonSpec, element: HTMLButtonElement) => void;
  /** The Slack user looking, whose mentions are highlighted as Slack highlights them. */
  readonly viewer?: string;
  readonly now?: Date;
}

const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const string = (value: unknown): string => (typeof value === 'string' ? value : '');

const SAFE_LINK = /^(https?:|mailto:)/i;

function inlineNode(node: Inline, options: RenderOptions): Node {
  switch (node.kind) {
    case 'text':
      return document.createTextNode(node.text);
    case 'emoji':
      // The character stays the text (copy, search, screen readers); the stylesheet draws the
      // emoji stepup uses, so they look the same with or without an emoji font.
      return h(
        'span',
        { class: 'bk-emoji', attrs: { 'data-emoji': node.name, title: `:${node.name}:` } },
        node.text,
      );
    case 'bold':
    case 'italic':
    case 'strike': {
      const tag = node.kind === 'bold' ? 'strong' : node.kind === 'italic' ? 'em' : 's';
      return h(tag, {}, ...node.children.map((child) => inlineNode(child, options)));
    }
    case 'code':
      return h('code', { class: 'bk-code' }, node.text);
    case 'pre':
      return h('pre', { class: 'bk-pre' }, node.text);
    case 'user':
      return h(
        'span',
        { class: node.id === options.viewer ? 'bk-mention bk-mention-self' : 'bk-mention' },
        node.label,
      );
    case 'usergroup':
    case 'broadcast':
      return h('span', { class: 'bk-mention bk-broadcast' }, node.label);
    case 'channel':
      return h('span', { class: 'bk-mention' }, node.label);
    case 'date':
      return h('time', { attrs: { datetime: node.iso, title: node.iso } }, node.text);
    case 'link': {
      if (!SAFE_LINK.test(node.url)) return document.createTextNode(node.label);
      const link = h('a', { attrs: { target: '_blank', rel: 'noopener noreferrer' } }, node.label);
      link.href = node.url;
      return link;
    }
  }
}

/** A Block Kit text object (`plain_text` or `mrkdwn`), shown as Slack shows it. */
export function textObject(value: unknown, options: RenderOptions, className = 'bk-text'): HTMLElement {
  const text = record(value);
  const element = h('div', { class: className });
  if (text.type === 'mrkdwn') {
    element.append(...parseMrkdwn(string(text.text), options.now).map((node) => inlineNode(node, options)));
  } else {
    const nodes = parsePlainText(string(text.text), text.emoji !== false);
    element.append(...nodes.map((node) => inlineNode(node, options)));
  }
  return element;
}

function button(value: unknown, options: RenderOptions): HTMLButtonElement {
  const element = record(value);
  const spec: ButtonSpec = {
    actionId: string(element.action_id),
    value: string(element.value),
    text: plainText(string(record(element.text).text), record(element.text).emoji !== false),
    style: typeof element.style === 'string' ? element.style : undefined,
    confirm: confirmSpec(element.confirm),
  };
  const styled = spec.style === 'primary' ? ' bk-primary' : spec.style === 'danger' ? ' bk-danger' : '';
  const rendered = h('button', { class: `bk-button${styled}`, attrs: { type: 'button' } }, spec.text);
  if (options.button) options.button(spec, rendered);
  else rendered.disabled = true;
  return rendered;
}

function contextElement(value: unknown, options: RenderOptions): HTMLElement {
  const element = record(value);
  if (element.type === 'image') {
    return h('span', { class: 'bk-image-alt' }, `[${string(element.alt_text) || 'image'}]`);
  }
  return textObject(element, options, 'bk-context-text');
}

/** One block; unknown types are named rather than dropped, so nothing is silently hidden. */
export function renderBlock(value: unknown, options: RenderOptions): HTMLElement {
  const block = record(value);
  switch (block.type) {
    case 'header':
      return h(
        'h3',
        { class: 'bk-header' },
        ...parsePlainText(string(record(block.text).text), record(block.text).emoji !== false).map((node) =>
          inlineNode(node, options),
        ),
      );
    case 'section': {
      const section = h('div', { class: 'bk-section' });
      if (block.text) section.append(textObject(block.text, options));
      const fields = list(block.fields);
      if (fields.length > 0) {
        section.append(
          h('div', { class: 'bk-fields' }, ...fields.map((f) => textObject(f, options, 'bk-text bk-field'))),
        );
      }
      if (record(block.accessory).type === 'button') section.append(button(block.accessory, options));
      return section;
    }
    case 'context':
      return h(
        'div',
        { class: 'bk-context' },
        ...list(block.elements).map((e) => contextElement(e, options)),
      );
    case 'actions':
      return h(
        'div',
        { class: 'bk-actions' },
        ...list(block.elements).map((e) =>
          record(e).type === 'button'
            ? button(e, options)
            : h('span', { class: 'bk-unsupported' }, `[${string(record(e).type)}]`),
        ),
      );
    case 'divider':
      return h('hr', { class: 'bk-divider' });
    case 'input': {
      const element = record(block.element);
      return h(
        'div',
        { class: 'bk-input' },
        textObject(block.label, options, 'bk-input-label'),
        h(
          'div',
          { class: 'bk-input-box' },
          plainText(string(record(element.placeholder).text)) || `[${string(element.type) || 'input'}]`,
        ),
      );
    }
    case 'image':
      return h('div', { class: 'bk-image-alt' }, `[image: ${string(block.alt_text)}]`);
    default:
      return h('div', { class: 'bk-unsupported' }, `[unsupported block: ${string(block.type) || '?'}]`);
  }
}

/** A message's blocks, in order. */
export function renderBlocks(blocks: unknown, options: RenderOptions): HTMLElement {
  return h('div', { class: 'bk-blocks' }, ...list(blocks).map((block) => renderBlock(block, options)));
}
