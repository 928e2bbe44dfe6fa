import type { DeclaredSyncPlan } from '../fleet/declared-fleet.js';
import type { DeclaredSyncReport } from './fleet-store.js';

/** What applying a declared-fleet plan changed, as both fleet stores report it. */
export function syncReport(plan: DeclaredSyncPlan): DeclaredSyncReport {
  return {
    profiles: { put: plan.putProfiles.length, deleted: plan.deleteProfiles.length },
    groups: { put: plan.putGroups.length, deleted: plan.deleteGroups.length },
    machines: { put: plan.putMachines.length, deleted: plan.deleteMachines.length },
    warnings: plan.warnings,
  };
}
