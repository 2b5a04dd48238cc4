// Every concert gets its own colours, derived from its name, so the listing
// is not a wall of identical cards (we have no images of the artists).

const PALETTES: readonly (readonly [string, string, string])[] = [
  ['#4338ca', '#7c3aed', '#db2777'],
  ['#0f766e', '#0891b2', '#4f46e5'],
  ['#b45309', '#dc2626', '#7c2d12'],
  ['#1d4ed8', '#0ea5e9', '#14b8a6'],
  ['#9d174d', '#c026d3', '#6d28d9'],
  ['#166534', '#65a30d', '#0d9488'],
  ['#312e81', '#1e40af', '#0369a1'],
  ['#be123c', '#ea580c', '#ca8a04'],
];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/**
 * The concert's colours. `scrim` (0..1) lays that much near-black over them,
 * for white text on top: the palettes' lightest colours (sky, teal, lime,
 * amber) give white text 2.5:1 on their own; 0.3 keeps every palette
 * at 4.7:1 or more (WCAG AA for text of any size).
 */
export function artworkStyle(key: string, { scrim = 0 }: { scrim?: number } = {}): { backgroundImage: string } {
  const h = hash(key);
  const [a, b, c] = PALETTES[h % PALETTES.length] ?? ['#4338ca', '#7c3aed', '#db2777'];
  const angle = 100 + (h % 80);
  const x = 15 + ((h >>> 8) % 70);
  const shade = scrim > 0 ? `linear-gradient(rgb(2 6 23 / ${scrim}), rgb(2 6 23 / ${scrim})), ` : '';
  return {
    backgroundImage:
      shade +
      `radial-gradient(circle at ${x}% 120%, ${c}cc 0, transparent 55%), ` +
      `linear-gradient(${angle}deg, ${a}, ${b})`,
  };
}

/** The scrim under white text on a concert's colours (see artworkStyle). */
export const TEXT_SCRIM = 0.3;
