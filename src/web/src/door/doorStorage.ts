// What a door device remembers between scans and reloads (localStorage):
// its door name, the concert it is set to, and how many tickets it admitted
// for each concert. The API keeps every admission but offers no count, so
// "admitted" is this device's own count of its successful check-ins.

const DOOR_KEY = 'ticketd.door.name';
const CONCERT_KEY = 'ticketd.door.concert';
const ADMITTED_KEY = 'ticketd.door.admitted';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // private mode or full: the device forgets, the door still works
  }
}

export function loadDoorName(): string {
  return read(DOOR_KEY) ?? '';
}

export function saveDoorName(name: string): void {
  write(DOOR_KEY, name);
}

export function loadDoorConcert(): string {
  return read(CONCERT_KEY) ?? '';
}

export function saveDoorConcert(id: string): void {
  write(CONCERT_KEY, id);
}

function counts(): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(read(ADMITTED_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter(
        (e): e is [string, number] => typeof e[1] === 'number' && Number.isSafeInteger(e[1]) && e[1] >= 0,
      ),
    );
  } catch {
    return {};
  }
}

export function admittedHere(concertId: string): number {
  return counts()[concertId] ?? 0;
}

/** One more ticket admitted at this device; returns the new count. */
export function countAdmission(concertId: string): number {
  const all = counts();
  const n = (all[concertId] ?? 0) + 1;
  all[concertId] = n;
  write(ADMITTED_KEY, JSON.stringify(all));
  return n;
}

/** The door name the API takes: 1 to 64 characters, no control characters. */
export function doorNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'Name this door (e.g. “North gate”).';
  if (Array.from(trimmed).length > 64) return 'Use at most 64 characters.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return 'Use letters, digits and spaces.';
  return null;
}
