// On a mail server's edit page: a warning when the SPF record of its From domain does not (or cannot
// be shown to) allow the server. Never blocks saving: hosted providers often send from addresses
// other than the one Mailroom connects to (docs/domains.md).
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { domainsApi } from './domains-api.ts';

/** `version` changes when the server is saved, so the check runs again with its new host and From. */
export function SendingDomainWarning({ serverId, version }: { serverId: string; version?: string | number }) {
  const check = useAsync((signal) => domainsApi.serverCheck(serverId, signal), [serverId, version]);
  // A secondary hint: if the check itself cannot run, the page works without it.
  const warning = check.data?.warning;
  if (!warning) return null;
  return (
    <Alert kind="warning" title={check.data?.verdict === 'unknown' ? 'SPF could not be checked' : `SPF of ${check.data?.fromDomain} may not allow this server`}>
      <p>{warning}</p>
      <p>Your own domains' records are on the <a href={href('/domains')}>Domains</a> page.</p>
    </Alert>
  );
}
