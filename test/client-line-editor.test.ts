import { describe, expect, it } from 'vitest';
import { LineEditor } from '../client/line-editor.js';

function typed(editor: LineEditor, text: string): LineEditor {
  editor.insert(text);
  return editor;
}

describe('LineEditor', () => {
  it('types, edits in the middle and submits', () => {
    const editor = typed(new LineEditor(), 'helo');
    editor.edit('left');
    editor.insert('l');
    expect(editor.view()).toEqual({ text: 'hello', cursor: 4 });
    editor.edit('end');
    editor.edit('backspace');
    editor.edit('home');
    editor.edit('delete');
    expect(editor.view()).toEqual({ text: 'ell', cursor: 0 });
    expect(editor.submit()).toBe('ell');
    expect(editor.view()).toEqual({ text: '', cursor: 0 });
  });

  it('kills to the start of the line and the word before the cursor', () => {
    const editor = typed(new LineEditor(), 'one two three');
    editor.edit('kill-word');
    expect(editor.text).toBe('one two ');
    editor.edit('kill-line');
    expect(editor.view()).toEqual({ text: '', cursor: 0 });
  });

  it('keeps surrogate pairs whole and drops control characters', () => {
    const editor = typed(new LineEditor(), 'a😀b');
    editor.edit('left');
    editor.edit('backspace');
    expect(editor.view()).toEqual({ text: 'ab', cursor: 1 });
    expect(typed(new LineEditor(), 'x\x1b[31m\x07\ty').text).toBe('x[31my');
  });

  it('recalls earlier lines with Up and Down and gives the draft back', () => {
    const editor = new LineEditor();
    for (const line of ['first', 'second', 'second', '   ']) {
      editor.insert(line);
      editor.submit();
    }
    expect(editor.earlier).toEqual(['first', 'second']);
    editor.insert('draft');
    editor.edit('up');
    expect(editor.text).toBe('second');
    editor.edit('up');
    editor.edit('up');
    expect(editor.text).toBe('first');
    editor.edit('down');
    editor.edit('down');
    expect(editor.view()).toEqual({ text: 'draft', cursor: 5 });
  });

  it('masks a secret line, never keeps it, and recalls nothing into it', () => {
    const editor = new LineEditor();
    editor.insert('alice');
    editor.submit();
    editor.setSecret(true);
    editor.edit('up');
    expect(editor.text).toBe('');
    editor.insert('hunter22');
    expect(editor.view()).toEqual({ text: '********', cursor: 8 });
    expect(editor.submit()).toBe('hunter22');
    editor.setSecret(false);
    editor.edit('up');
    expect(editor.text).toBe('alice');
    editor.edit('up');
    expect(editor.text).toBe('alice');
    expect(editor.earlier).toEqual(['alice']);
  });

  it('keeps what was typed ahead of a prompt, shown as that prompt asks', () => {
    const editor = typed(new LineEditor(), 'early');
    editor.setSecret(true);
    expect(editor.view().text).toBe('*****');
    expect(editor.submit()).toBe('early');
    expect(editor.earlier).toEqual([]);
  });

  it('drops half a line typed at a secret prompt when the next prompt echoes, never showing it', () => {
    const editor = new LineEditor();
    editor.setSecret(true);
    editor.insert('hunt');
    expect(editor.view().text).toBe('****');
    editor.setSecret(false);
    expect(editor.view()).toEqual({ text: '', cursor: 0 });
    editor.insert('carol');
    expect(editor.submit()).toBe('carol');
    expect(editor.earlier).toEqual(['carol']);
  });

  it('keeps half a line across secret to secret (masked) and echoing to echoing prompts', () => {
    const editor = new LineEditor();
    editor.setSecret(true);
    editor.insert('hunt');
    editor.setSecret(true);
    expect(editor.view()).toEqual({ text: '****', cursor: 4 });
    expect(editor.submit()).toBe('hunt');
    editor.setSecret(false);
    editor.insert('line th');
    editor.setSecret(false);
    expect(editor.view()).toEqual({ text: 'line th', cursor: 7 });
  });

  it('keeps what was typed ahead after a secret line was taken, at an echoing prompt', () => {
    const editor = new LineEditor();
    editor.setSecret(true);
    editor.insert('hunter22');
    editor.clear();
    editor.insert('1');
    editor.setSecret(false);
    expect(editor.view()).toEqual({ text: '1', cursor: 1 });
  });

  it('forgets the oldest lines beyond its limit', () => {
    const editor = new LineEditor(2);
    for (const line of ['a', 'b', 'c']) {
      editor.insert(line);
      editor.submit();
    }
    expect(editor.earlier).toEqual(['b', 'c']);
  });
});
