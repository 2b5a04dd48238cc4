// Money is integer cents inside the app; the API speaks decimal numbers.

/** 19.99 → 1999. Prices come from the server with at most two decimals. */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

/** 23000 → "230.00": the exact text of the number sent to the server. */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) {
    throw new RangeError(`not an amount of cents: ${cents}`);
  }
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  return `${whole}.${String(frac).padStart(2, '0')}`;
}

const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** 1999 → "$19.99". */
export function formatCents(cents: number): string {
  return currency.format(cents / 100);
}

export function formatPrice(amount: number): string {
  return formatCents(toCents(amount));
}
