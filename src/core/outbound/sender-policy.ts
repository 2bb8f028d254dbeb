// Who a company may send as (PRODUCT.md capability 8, seed 004 "From Address Verification"):
// - through the built-in service's direct delivery, only a verified sender address, an address in
//   a verified sending domain, or the instance's own built-in From;
// - through a custom server, its own sender address, any address in that address's domain, any
//   address when the server has "has relay" (seed 001's FAQ), or a verified sender address;
// - the catcher sends nothing anywhere, so any From may be tried out there.
import type { MailServer } from '../model.ts';
import type { Store } from '../ports.ts';
import type { MessageRoute } from './outbound-model.ts';

/** Answers whether a company verified an address (a sender address or its verified domain). */
export interface SenderCheck {
  isVerified(companyId: string, address: string): Promise<boolean>;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Plain words when `from` may not be used on this route, else null. */
export async function senderProblem(
  senders: SenderCheck, companyId: string, from: string, server: Pick<MailServer, 'fromAddress' | 'hasRelay'> | null, route: MessageRoute, builtinFrom: string,
): Promise<string | null> {
  const address = from.toLowerCase();
  if (route === 'catch') return null;
  if (route === 'server' && server) {
    if (server.hasRelay || address === server.fromAddress.toLowerCase() || domainOf(address) === domainOf(server.fromAddress)) return null;
    if (await senders.isVerified(companyId, address)) return null;
    return `${from} is not in this mail server's domain (${domainOf(server.fromAddress)}) and is not a verified sender address; verify it under Sender addresses, or turn on "has relay" if the server may send as other domains.`;
  }
  if (address === builtinFrom.toLowerCase()) return null;
  if (await senders.isVerified(companyId, address)) return null;
  return `${from} is not a verified sender address of this company; add it under Sender addresses and open the link emailed to it (or verify its domain under Domains).`;
}

/** Verified means: a verified sender address of the company, or any address in its verified domain. */
export function storeSenderCheck(store: Pick<Store, 'senderAddresses' | 'sendingDomains'>): SenderCheck {
  return {
    async isVerified(companyId, address) {
      const sender = await store.senderAddresses.getByAddress(companyId, address.toLowerCase());
      // A link that was only caught was readable by the company's admins: it proves nothing.
      if (sender?.status === 'verified' && sender.linkRoute !== 'catch') return true;
      const domain = await store.sendingDomains.getByDomain(companyId, domainOf(address));
      return domain?.status === 'verified';
    },
  };
}
