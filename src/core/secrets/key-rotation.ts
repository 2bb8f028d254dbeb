// Re-seals every stored secret under a new key, in one transaction: either all values move to the
// new key or none do. The caller keeps the old key readable until this returns.
import type { Sealer, Store } from '../ports.ts';

export interface RotationReport {
  mailServerPasswords: number;
  historicalPasswords: number;
  companySecrets: number;
  webhookSecrets: number;
  dkimKeys: number;
}

export async function resealAll(store: Store, from: Sealer, to: Sealer): Promise<RotationReport> {
  return store.transaction(async (tx) => {
    const report: RotationReport = { mailServerPasswords: 0, historicalPasswords: 0, companySecrets: 0, webhookSecrets: 0, dkimKeys: 0 };
    for (const item of await tx.mailServers.listSealed()) {
      await tx.mailServers.replaceSealed(item.table, item.key, to.seal(from.open(item.sealed)));
      if (item.table === 'mail_servers') report.mailServerPasswords++;
      else report.historicalPasswords++;
    }
    for (const item of await tx.secrets.listSealed()) {
      await tx.secrets.replaceSealed(item.id, to.seal(from.open(item.sealed)));
      report.companySecrets++;
    }
    for (const item of await tx.sendingDomains.listSealed()) {
      await tx.sendingDomains.replaceSealed(item.id, item.column, to.seal(from.open(item.sealed)));
      report.dkimKeys++;
    }
    for (const item of await tx.webhookEndpoints.listSealed()) {
      await tx.webhookEndpoints.replaceSealed(item.companyId, to.seal(from.open(item.sealed)));
      report.webhookSecrets++;
    }
    return report;
  });
}
