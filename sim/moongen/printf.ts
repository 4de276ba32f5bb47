/** The few C printf conversions MoonGen's scripts use, so emulated logs read like real ones. */
export function printf(format: string, ...args: (number | string | boolean)[]): string {
  let i = 0;
  return format.replace(/%(\.(\d+))?([dfs%])/g, (_m, _p, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const a = args[i++];
    if (conv === 's') return String(a);
    const n = Number(a);
    if (Number.isNaN(n)) return '-nan';
    if (conv === 'd') return String(Math.trunc(n));
    return n.toFixed(precision === undefined ? 6 : Number(precision));
  });
}
