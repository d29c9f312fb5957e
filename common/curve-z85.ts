/** Z85, ZeroMQ's text form of binary keys (RFC 32): 4 bytes to 5 printable characters. */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const VALUE = new Map([...ALPHABET].map((char, i) => [char, i]));

/** True for a CURVE key in Z85: 40 characters of the Z85 alphabet (32 bytes). */
export function isZ85Key(text: string): boolean {
  return text.length === 40 && [...text].every((char) => VALUE.has(char));
}

/** The Z85 text of `bytes` (a multiple of 4 long). */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new RangeError(`Expected a multiple of 4 bytes, got ${bytes.length}`);
  let text = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let value = ((bytes[i] ?? 0) * 2 ** 24) + ((bytes[i + 1] ?? 0) << 16) + ((bytes[i + 2] ?? 0) << 8) + (bytes[i + 3] ?? 0);
    let chunk = '';
    for (let j = 0; j < 5; j++) {
      chunk = ALPHABET[value % 85] + chunk;
      value = Math.floor(value / 85);
    }
    text += chunk;
  }
  return text;
}
