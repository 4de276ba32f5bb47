/**
 * A small reader for the Lua subset MoonGen config files use: one call
 * `VSPERF { ... }` whose argument is a table constructor of strings, numbers,
 * booleans and nested tables. The emulator reads configs with it, and the
 * config writer's tests round-trip through it.
 */

export type LuaValue = string | number | boolean | null | LuaValue[] | { [key: string]: LuaValue };

export class LuaSyntaxError extends Error {
  constructor(source: string, line: number, message: string) {
    super(`${source}:${line}: ${message}`);
    this.name = 'LuaSyntaxError';
  }
}

class Reader {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  fail(message: string): never {
    const line = this.text.slice(0, this.pos).split('\n').length;
    throw new LuaSyntaxError(this.source, line, message);
  }

  private found(): string {
    return this.pos >= this.text.length
      ? 'end of file'
      : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }

  skip(): void {
    for (;;) {
      const ws = /^\s+/.exec(this.text.slice(this.pos));
      if (ws) this.pos += ws[0].length;
      if (this.text.startsWith('--[[', this.pos)) {
        const end = this.text.indexOf(']]', this.pos);
        if (end < 0) this.fail('unterminated --[[ comment');
        this.pos = end + 2;
      } else if (this.text.startsWith('--', this.pos)) {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.text.length : end + 1;
      } else return;
    }
  }

  peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos);
  }

  expect(s: string): void {
    if (!this.peek(s)) this.fail(`expected "${s}", found ${this.found()}`);
    this.pos += s.length;
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.text.length;
  }

  name(): string | null {
    this.skip();
    const m = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos));
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }

  value(): LuaValue {
    this.skip();
    const c = this.text[this.pos];
    if (c === '{') return this.table();
    if (c === '"' || c === "'") return this.string(c);
    const numMatch = /^-?(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)/i.exec(this.text.slice(this.pos));
    if (numMatch) {
      this.pos += numMatch[0].length;
      return Number(numMatch[0]);
    }
    const word = this.name();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'nil') return null;
    return this.fail(`expected a string, number, boolean or table, found ${word ?? this.found()}`);
  }

  string(quote: string): string {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === quote) return out;
      if (c === '\n') this.fail('unterminated string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
      if (e !== undefined && e in escapes) out += escapes[e];
      else this.fail(`unsupported escape \\${e ?? ''}`);
    }
    return this.fail('unterminated string');
  }

  table(): LuaValue {
    this.expect('{');
    const positional: LuaValue[] = [];
    const named: Record<string, LuaValue> = {};
    let hasNamed = false;
    while (!this.peek('}')) {
      const save = this.pos;
      const key = this.name();
      if (key !== null && this.peek('=') && !this.peek('==')) {
        this.expect('=');
        named[key] = this.value();
        hasNamed = true;
      } else if (key === null && this.peek('[')) {
        this.expect('[');
        const k = this.value();
        this.expect(']');
        this.expect('=');
        named[String(k)] = this.value();
        hasNamed = true;
      } else {
        this.pos = save;
        positional.push(this.value());
      }
      if (this.peek(',')) this.expect(',');
      else if (this.peek(';')) this.expect(';');
      else if (!this.peek('}')) this.fail(`expected "," or "}" in table, found ${this.found()}`);
    }
    this.expect('}');
    if (!hasNamed) return positional;
    // Lua arrays are 1-based: positional entries become keys "1", "2", ...
    positional.forEach((v, i) => (named[String(i + 1)] = v));
    return named;
  }
}

/** Reads a Lua table constructor such as `{ a = 1, b = {"x", "y"} }`. */
export function readLuaTable(text: string, source = 'Lua table'): LuaValue {
  const r = new Reader(text, source);
  const v = r.table();
  if (!r.atEnd()) r.fail('unexpected text after the table');
  return v;
}

/** Reads a MoonGen config file: one `VSPERF { ... }` (or `VSPERF({ ... })`) call. */
export function readVsperfConfig(text: string, source = 'opnfv-vsperf-cfg.lua'): Record<string, LuaValue> {
  const r = new Reader(text, source);
  const fn = r.name();
  if (fn !== 'VSPERF') r.fail(`expected the call "VSPERF { ... }", found ${fn ?? 'no name'}`);
  const paren = r.peek('(');
  if (paren) r.expect('(');
  const table = r.table();
  if (paren) r.expect(')');
  if (!r.atEnd()) r.fail('unexpected text after the VSPERF call');
  if (Array.isArray(table)) {
    if (table.length > 0) r.fail('VSPERF table has positional values where keys were expected');
    return {};
  }
  return table as Record<string, LuaValue>;
}
