/**
 * The operational commands the emulated router answers, read the way the Junos CLI reads them: words may
 * be abbreviated to any unique prefix ("sh rou summ"), and a trailing `| no-more` (or any pipe) is ignored.
 *
 *   show bgp neighbor [<address>]
 *   show route summary [table <name>]
 */

export type RouterCommand =
  { kind: 'bgp-neighbor'; peer?: string } | { kind: 'route-summary'; table?: string };

export class CommandError extends Error {}

/** Junos's own wording for a word it does not know (the CLI prints it and runs nothing). */
function syntaxError(expected: string, found: string | undefined): CommandError {
  return new CommandError(`error: syntax error, expecting ${expected}: ${found ?? ''}`.trimEnd());
}

function word(found: string | undefined, choices: readonly string[], expected: string): string {
  const matches = found ? choices.filter((c) => c.startsWith(found)) : [];
  if (matches.length !== 1) throw syntaxError(expected, found);
  return matches[0]!;
}

export function parseRouterCommand(text: string): RouterCommand {
  const words = text.split('|')[0]!.trim().split(/\s+/).filter(Boolean);
  word(words[0], ['show'], '<command>');
  const what = word(words[1], ['bgp', 'route'], '<command>');
  if (what === 'bgp') {
    word(words[2], ['neighbor'], '<command>');
    if (words.length > 4) throw syntaxError('<command>', words[4]);
    return words[3] === undefined ? { kind: 'bgp-neighbor' } : { kind: 'bgp-neighbor', peer: words[3] };
  }
  word(words[2], ['summary'], '<command>');
  if (words[3] === undefined) return { kind: 'route-summary' };
  word(words[3], ['table'], '<command>');
  if (words[4] === undefined) throw syntaxError('<table-name>', undefined);
  if (words.length > 5) throw syntaxError('<command>', words[5]);
  return { kind: 'route-summary', table: words[4] };
}
