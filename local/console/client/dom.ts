/** Attributes and properties for {@link h}. */
export interface Props {
  readonly class?: string;
  readonly attrs?: Readonly<Record<string, string | undefined>>;
}

/**
 * Creates an element. Strings become text nodes, so whatever they contain is shown as text: this
 * page never parses HTML from data (no `innerHTML`).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: readonly (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: readonly Node[]): void {
  parent.replaceChildren(...children);
}

/** A time as people read it, in their time zone, with the exact instant in the tooltip. */
export function timeElement(iso: string, withSeconds = false): HTMLTimeElement {
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        ...(withSeconds ? { second: '2-digit' } : {}),
      });
  return h('time', { attrs: { datetime: iso, title: iso } }, text);
}
