/** Clients of Contrail services: introspect (sandesh XML) and config API. */
export * from './introspect-client.ts';
export * from './config-api-client.ts';
export { ContrailHttpError, type CallOptions } from './http-request.ts';
export {
  parseSandesh,
  SandeshParseError,
  type SandeshResponse,
  type SandeshStruct,
} from './sandesh-parser.ts';
export * from './vn-provisioning.ts';
export * from './policy-provisioning.ts';
export * from './bgp-router-provisioning.ts';
