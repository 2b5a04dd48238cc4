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

export function artworkStyle(key: string): { backgroundImage: string } {
  const h = hash(key);
  const [a, b, c] = PALETTES[h % PALETTES.length] ?? ['#4338ca', '#7c3aed', '#db2777'];
  const angle = 100 + (h % 80);
  const x = 15 + ((h >>> 8) % 70);
  return {
    backgroundImage:
      `radial-gradient(circle at ${x}% 120%, ${c}cc 0, transparent 55%), ` +
      `linear-gradient(${angle}deg, ${a}, ${b})`,
  };
}
