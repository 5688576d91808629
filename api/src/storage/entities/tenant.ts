import { defineEntity, p } from '@mikro-orm/core';
import type { PlanId } from '../../plans/plan.ts';

export const TENANT_TABLE = 'api_tenant';

/** A customer account: created at its owner's first login; owns guilds and a plan. */
export const Tenant = defineEntity({
  name: 'Tenant',
  tableName: TENANT_TABLE,
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    plan: p.text().$type<PlanId>(),
    ownerUserId: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
