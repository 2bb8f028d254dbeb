// The company's mail servers by id, for naming the server of a message or an attempt.
import { useMemo } from 'react';
import type { MailServer } from '../../api/types.ts';
import { useAsync } from '../../ui/use-async.ts';
import { mailServersApi } from '../mail-servers/mail-servers-api.ts';

export function useServerMap(): { list: MailServer[]; byId: Map<string, MailServer> | undefined; error: string | null } {
  const servers = useAsync((signal) => mailServersApi.list(signal), []);
  const byId = useMemo(() => (servers.data ? new Map(servers.data.map((s) => [s.id, s])) : undefined), [servers.data]);
  return { list: servers.data ?? [], byId, error: servers.error };
}
