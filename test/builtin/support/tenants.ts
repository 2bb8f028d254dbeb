// Two companies under the root, each with the people the built-in service's tests act as: a company
// admin, a member and the host application's API key (company A), and an admin of company B.
import { ApiClient, signedInUser, setupRoot } from '../../support/api-client.ts';

const USER_PASSWORD = 'user-password-123';

export interface Tenants {
  root: ApiClient;
  companyA: string;
  companyB: string;
  adminA: ApiClient;
  memberA: ApiClient;
  keyA: ApiClient;
  /** The API key itself, for requests the client cannot make (binary downloads). */
  apiKeyA: string;
  adminB: ApiClient;
  /** Every client, so a test can search every answer body. */
  all: ApiClient[];
}

export async function setupTenants(baseUrl: string): Promise<Tenants> {
  const root = await setupRoot(baseUrl);
  const companyA = (await root.post('/companies', { name: 'Company A', slug: 'company-a' })).body.id as string;
  const companyB = (await root.post('/companies', { name: 'Company B', slug: 'company-b' })).body.id as string;
  const user = (company: string, email: string, role: string) => signedInUser(root, company, email, role, USER_PASSWORD);
  const adminA = await user(companyA, 'admin@a.example', 'company_admin');
  const memberA = await user(companyA, 'member@a.example', 'member');
  const adminB = await user(companyB, 'admin@b.example', 'company_admin');
  const apiKeyA = (await adminA.post('/api-keys', { name: 'host app' })).body.key as string;
  const keyA = ApiClient.withApiKey(baseUrl, apiKeyA);
  return { root, companyA, companyB, adminA, memberA, keyA, apiKeyA, adminB, all: [root, adminA, memberA, keyA, adminB] };
}

/** Every answer body any of the clients received, for leak checks. */
export function transcripts(clients: ApiClient[]): string {
  return clients.map((c) => c.transcript.join('\n')).join('\n');
}

/** The Message-ID header of a raw message. */
export function messageIdHeader(raw: string): string | undefined {
  return /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1];
}
