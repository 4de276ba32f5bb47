/**
 * Reads opnfv-vsperf-cfg.lua the way the emulator needs it. The real script
 * runs the file as Lua with VSPERF bound to `function(arg) cfg = arg end`;
 * the files vsperf and netscale write are VSPERF calls on one table
 * constructor of strings, numbers, booleans and lists, which is the Lua this
 * reader understands. Syntax errors read like Lua's: "<file>:<line>: ...".
 */

export type LuaValue = string | number | boolean | LuaTable;

/** A table constructor: positional entries in `list`, keyed ones (`k = v`, `[k] = v`) in `fields`. */
export interface LuaTable {
  list: LuaValue[];
  fields: Map<string, LuaValue>;
}

export class LuaConfigError extends Error {}

interface Token {
  kind: 'name' | 'number' | 'string' | 'symbol' | 'eof';
  text: string;
  line: number;
  value?: string | number;
}

const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
const NAME = /^[A-Za-z_]\w*/;
const SYMBOLS = new Set(['{', '}', '(', ')', '[', ']', '=', ',', ';', '-']);
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const fail = (message: string): never => {
    throw new LuaConfigError(`${file}:${line}: ${message}`);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('--[[', i)) {
      const end = text.indexOf(']]', i);
      if (end < 0) fail("unfinished long comment near '<eof>'");
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        const d = text[j];
        if (d === undefined || d === '\n') fail(`unfinished string near '${text.slice(i, j)}'`);
        if (d === c) break;
        if (d === '\\') {
          const e = text[j + 1] ?? '';
          const escaped = ESCAPES[e];
          if (escaped === undefined) fail(`invalid escape sequence '\\${e}'`);
          value += escaped;
          j += 2;
        } else {
          value += d;
          j++;
        }
      }
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), line, value });
      i = j + 1;
    } else if (NUMBER.test(text.slice(i, i + 64))) {
      const m = NUMBER.exec(text.slice(i, i + 64))![0];
      tokens.push({ kind: 'number', text: m, line, value: Number(m) });
      i += m.length;
    } else if (NAME.test(text.slice(i, i + 256))) {
      const m = NAME.exec(text.slice(i, i + 256))![0];
      tokens.push({ kind: 'name', text: m, line });
      i += m.length;
    } else if (SYMBOLS.has(c)) {
      tokens.push({ kind: 'symbol', text: c, line });
      i++;
    } else {
      fail(`unexpected symbol near '${c}'`);
    }
  }
  tokens.push({ kind: 'eof', text: '<eof>', line });
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  private get next(): Token {
    return this.tokens[this.at]!;
  }

  private fail(message: string, token = this.next): never {
    const near = token.kind === 'eof' ? '<eof>' : `'${token.text}'`;
    throw new LuaConfigError(`${this.file}:${token.line}: ${message} near ${near}`);
  }

  private take(symbol: string): boolean {
    if (this.next.kind === 'symbol' && this.next.text === symbol) {
      this.at++;
      return true;
    }
    return false;
  }

  private expect(symbol: string): void {
    if (!this.take(symbol)) this.fail(`'${symbol}' expected`);
  }

  /** The argument of the last VSPERF call, as the script's `cfg = arg` keeps it; undefined without a call. */
  chunk(): LuaTable | undefined {
    let cfg: LuaTable | undefined;
    while (this.next.kind !== 'eof') {
      if (this.take(';')) continue;
      const callee = this.next;
      if (callee.kind !== 'name' || callee.text !== 'VSPERF') this.fail('VSPERF { ... } expected');
      this.at++;
      const parenthesised = this.take('(');
      cfg = this.table();
      if (parenthesised) this.expect(')');
    }
    return cfg;
  }

  /** A value; undefined for nil. */
  private value(): LuaValue | undefined {
    const t = this.next;
    if (t.kind === 'symbol' && t.text === '{') return this.table();
    if (t.kind === 'symbol' && t.text === '-') {
      this.at++;
      const n = this.value();
      if (typeof n !== 'number') this.fail('number expected after unary minus', t);
      return -n;
    }
    this.at++;
    if (t.kind === 'string' || t.kind === 'number') return t.value;
    if (t.kind === 'name' && t.text === 'true') return true;
    if (t.kind === 'name' && t.text === 'false') return false;
    if (t.kind === 'name' && t.text === 'nil') return undefined;
    return this.fail('a string, number, boolean or table expected', t);
  }

  private table(): LuaTable {
    this.expect('{');
    const table: LuaTable = { list: [], fields: new Map() };
    while (!this.take('}')) {
      const start = this.next;
      if (start.kind === 'eof') this.fail("'}' expected");
      let key: string | undefined;
      if (start.kind === 'name' && this.tokens[this.at + 1]?.text === '=') {
        key = start.text;
        this.at += 2;
      } else if (this.take('[')) {
        const k = this.value();
        if (typeof k !== 'string' && typeof k !== 'number') this.fail('string or number key expected', start);
        key = String(k);
        this.expect(']');
        this.expect('=');
      }
      const v = this.value();
      if (key !== undefined) {
        if (v !== undefined) table.fields.set(key, v);
      } else {
        // A nil in a list leaves a hole Lua's # operator cannot count across: no config needs one.
        if (v === undefined) this.fail('nil in a list is not supported', start);
        table.list.push(v);
      }
      if (!this.take(',') && !this.take(';') && !(this.next.text === '}' && this.next.kind === 'symbol')) {
        this.fail("'}' expected");
      }
    }
    return table;
  }
}

/**
 * The table of the file's VSPERF call (the last one when there are several),
 * or undefined when the file has none: the script then logs "Config file
 * does not contain VSPERF statement".
 */
export function readVsperfCfg(text: string, file: string): LuaTable | undefined {
  return new Parser(tokenize(text, file), file).chunk();
}
