/** lib/bgpstress: everything the framework needs to drive bgp_stress_test. */
export * from './command.ts';
export * from './plan.ts';
export * from './log-parser.ts';
export * from './secondary-addresses.ts';
export * from './tool-naming.ts';
export { shellQuote } from '../hosts/shell-quote.ts';
