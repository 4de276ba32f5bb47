/** A process netscale did not start (no run tag): reapers must leave it alone. Prints {"pid":...}. */
process.stdout.write(JSON.stringify({ pid: process.pid }) + '\n');
setInterval(() => {}, 1000);
