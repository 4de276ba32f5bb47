/**
 * Deletion of config objects a provisioning step created: every one is tried, newest first, and
 * what failed is reported together, naming each object. A 404 counts as deleted.
 */
import type { ConfigApiClient, ConfigObjectType, ObjectRef } from './config-api-client.ts';
import { eachLimited } from './each-limited.ts';

export interface DeleteCreatedOptions {
  /**
   * Remove the references other objects hold to each one first (a bgp-router another router peers
   * with, a policy a kept VN still uses): the API refuses to delete a referred-to object (409).
   */
  detachReferrers?: boolean;
}

export async function deleteCreated(
  api: ConfigApiClient,
  type: ConfigObjectType,
  objects: readonly ObjectRef[],
  opts: DeleteCreatedOptions = {},
): Promise<void> {
  const failures: string[] = [];
  await eachLimited([...objects].reverse(), async (o) => {
    try {
      if (opts.detachReferrers) await api.detachReferrers(type, o.uuid);
      await api.deleteObject(type, o.uuid);
    } catch (err) {
      failures.push(`${o.fqName.join(':')} (${o.uuid}): ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  if (failures.length)
    throw new Error(
      `could not delete ${failures.length} of ${objects.length} ${type}(s): ${failures.join('; ')}`,
    );
}
