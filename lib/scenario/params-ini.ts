/**
 * Reader for the legacy harness's params.ini, keeping line numbers so every
 * warning and error can point at the line.
 *
 *   readParamsIni(text) -> { entries: Map<key, IniEntry>, sections, problems }
 *
 * Rules of the legacy files (Python 2 ConfigParser as the scripts used it):
 * `[Section]` headers; `key=value` or `key: value`; whole-line comments start
 * with `#` or `;` — a `#` inside a value is kept (cn_env uses `#VAR=` to
 * switch a variable off); a repeated key: the last one wins (a warning names
 * both lines); lines that are neither are reported as warnings.
 */

export interface IniEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

export interface IniProblem {
  line: number;
  message: string;
}

export interface ParamsIni {
  /** By key (lower case). Keys are looked up by name: the legacy scripts never reused a name across sections. */
  entries: Map<string, IniEntry>;
  sections: { name: string; line: number }[];
  warnings: IniProblem[];
}

export function readParamsIni(text: string): ParamsIni {
  const entries = new Map<string, IniEntry>();
  const sections: ParamsIni['sections'] = [];
  const warnings: IniProblem[] = [];
  let section = '';
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      section = header[1]!.trim();
      sections.push({ name: section, line });
      return;
    }
    const kv = /^([A-Za-z_][\w.-]*)\s*[=:]\s?(.*)$/.exec(trimmed);
    if (!kv) {
      // Never echo a line that may carry a password.
      const shown = /pass|secret|key/i.test(trimmed) ? '(content not shown)' : JSON.stringify(clip(trimmed));
      warnings.push({ line, message: `ignored line that is not "key = value": ${shown}` });
      return;
    }
    const key = kv[1]!.toLowerCase();
    const value = kv[2]!.trim();
    const earlier = entries.get(key);
    if (earlier) {
      warnings.push({
        line,
        message: `${key} repeated (line ${earlier.line} and line ${line}): the last one wins, value of line ${line} used`,
      });
    }
    entries.set(key, { section, key, value, line });
  });
  return { entries, sections, warnings };
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
