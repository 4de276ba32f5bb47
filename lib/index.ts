/** Public API of netscale (import from 'netscale'). */
export * from './hosts/host.ts';
export * from './clock.ts';
export * from './config/lab-schema.ts';
