import type { TrailLink } from '../agent';

/** A link's detail as `name=value` pairs, without the event type it repeats. */
function details(link: TrailLink): string {
  return Object.entries(link.detail ?? {})
    .filter(([name]) => name !== 'event')
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}

/** `stepup status`'s trail section: one line per link, from the prompt to the outcome. */
export function trailLines(trail: readonly TrailLink[]): string[] {
  if (trail.length === 0) return [];
  return [
    'trail:',
    ...trail.map((link) =>
      [`  ${link.link.padEnd(9)}`, link.actor, details(link)].filter(Boolean).join('  '),
    ),
  ];
}
