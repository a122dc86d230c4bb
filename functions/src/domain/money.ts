// Amounts of money as the platform shows them: US dollars to the cent.

/**
 * US dollars rounded to the cent, half a cent up. `usd * 100` of an amount such as 1.005 lands just below the half
 * in binary (100.49999…), so it is nudged up by a relative Number.EPSILON first, which no amount off the half
 * notices.
 */
export const roundCents = (usd: number): number => Math.round(usd * 100 * (1 + Number.EPSILON)) / 100;
