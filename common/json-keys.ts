/**
 * Keys a JSON object's text names twice. JSON.parse keeps the last value of a key given twice, so
 * `{"type":"msg","msg":"connect","type":"ping"}` reads as a ping: a caller's message that names
 * `type` twice means two things, and the proxy and the backends read it as neither.
 */

/**
 * True when `text`, the text of a JSON object (JSON.parse takes it), names `key` more than once
 * at its top level, however the key is spelled (`"type"`, `"\u0074ype"`).
 */
export function namesKeyTwice(text: string, key: string): boolean {
  const quoted = `"${key}"`;
  // Most messages name it once, plainly: only text that could name it twice is scanned.
  if (!text.includes('\\') && text.indexOf(quoted) === text.lastIndexOf(quoted)) return false;
  let depth = 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && isKey(text, end + 1) && decoded(text.slice(i, end + 1)) === key && ++seen > 1) return true;
      i = end;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return false;
}

// A string is a key when the next character past any whitespace is a colon.
function isKey(text: string, from: number): boolean {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  return text[i] === ':';
}

function decoded(literal: string): unknown {
  try {
    return JSON.parse(literal);
  } catch {
    return undefined;
  }
}
