/** A process netscale did not start (no run tag): reapers must leave it alone. Prints {"pid":...}. */
process.stdout.write(JSON.stringify({ pid: process.pid }) + '\n');
// Stays alive until the test signals it: that is what the test needs of this process.
setInterval(() => {}, 1000);
