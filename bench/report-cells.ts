/** How the bench's printed reports write a row and a number, shared by every report. */

/** A label padded to the value column, then the value. */
export function row(label: string, value: string): string {
  return `${label.padEnd(32)} ${value}`;
}

/** A figure with one decimal below 100, none above. */
export function fix(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/** A whole number with thousands separators. */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}
