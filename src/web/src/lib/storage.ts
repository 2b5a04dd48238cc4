// The fan's name is remembered between visits; storage may be unavailable
// (private mode, blocked), which is never an error.

const USER_KEY = 'ticketd.userId';

export function loadUserId(): string {
  try {
    return window.localStorage.getItem(USER_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveUserId(userId: string): void {
  try {
    window.localStorage.setItem(USER_KEY, userId);
  } catch {
    // not remembered: fine
  }
}
