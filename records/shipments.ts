/** What the compliance reports of a project's licences declared shipped, per component: its post-project review reads it. */
import type { ReportRequest } from '../workflows/compliance-contract';
import { snapshot, type Records } from './database';

export interface ShippedUnder {
  componentId: string;
  /** Reports received. */
  reports: number;
  shipments: number;
  quantity: number;
  destinations: string[];
}

export async function readShipped(records: Records, projectId: string): Promise<ShippedUnder[]> {
  const rows = await snapshot(records, (db) =>
    db.selectFrom('compliance_records').select(['component_id', 'data']).where('project_id', '=', projectId).where('kind', '=', 'report').execute(),
  );
  const byComponent = new Map<string, ShippedUnder>();
  for (const row of rows) {
    const report = row.data as unknown as ReportRequest;
    if (report.status !== 'received') continue;
    const sum = byComponent.get(row.component_id) ?? { componentId: row.component_id, reports: 0, shipments: 0, quantity: 0, destinations: [] };
    sum.reports += 1;
    sum.shipments += report.shipped?.shipments ?? 0;
    sum.quantity += report.shipped?.quantity ?? 0;
    for (const d of report.shipped?.destinations ?? []) if (!sum.destinations.includes(d)) sum.destinations.push(d);
    byComponent.set(row.component_id, sum);
  }
  return [...byComponent.values()].sort((a, b) => a.componentId.localeCompare(b.componentId));
}
