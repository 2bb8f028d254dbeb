// A whole domain check: ask DNS for every planned record, judge each (record-evaluation.ts), then
// decide the domain's status. SPF and DKIM make a domain verified; DMARC and the return path only
// warn. A lookup that failed (SERVFAIL, timeout) leaves the status as it was, so a DNS hiccup never
// stops DKIM signing. During a key rotation, finding the next key's record makes it the current key.
import { checkMessage, CHECK_MESSAGES, fillTemplate, isWarningCode, SUMMARY_MESSAGES } from './check-messages.ts';
import type { DnsAnswer, DnsLookup } from './dns-ports.ts';
import { dkimName, recordsToPublish, type DnsPlanSettings, type PlannedRecord } from './dns-record-plan.ts';
import type { DomainCheckResult, RecordCheck, RecordSeverity } from './domain-check-types.ts';
import type { DomainStatus, SendingDomain } from './domain-model.ts';
import { evaluateDkim, evaluateDmarc, evaluateReturnPath, evaluateSpf, type Evaluation } from './record-evaluation.ts';

/** What DNS returned, by name: the evaluation's only input from the outside world. */
export interface DnsAnswers {
  txt: Record<string, DnsAnswer<string[]>>;
  cname: Record<string, DnsAnswer<string>>;
}

const NOT_ASKED: DnsAnswer<never> = { kind: 'error', failure: 'other', detail: 'not looked up' };

export async function gatherAnswers(dns: DnsLookup, domain: SendingDomain, settings: DnsPlanSettings): Promise<DnsAnswers> {
  const plan = recordsToPublish(domain, settings);
  const txtNames = [...new Set(plan.filter((r) => r.type === 'TXT').map((r) => r.name))];
  const cnameNames = plan.filter((r) => r.type === 'CNAME').map((r) => r.name);
  const [txt, cname] = await Promise.all([
    Promise.all(txtNames.map(async (n) => [n, await dns.txt(n)] as const)),
    Promise.all(cnameNames.map(async (n) => [n, await dns.cname(n)] as const)),
  ]);
  return { txt: Object.fromEntries(txt), cname: Object.fromEntries(cname) };
}

/** Whether `answers` hold every name the domain's records need (its selectors may have changed meanwhile). */
export function answersCover(domain: SendingDomain, settings: DnsPlanSettings, answers: DnsAnswers): boolean {
  return recordsToPublish(domain, settings).every((r) => (r.type === 'TXT' ? r.name in answers.txt : r.name in answers.cname));
}

function evaluatePlanned(planned: PlannedRecord, domain: SendingDomain, answers: DnsAnswers, settings: DnsPlanSettings): Evaluation {
  const txt = answers.txt[planned.name] ?? NOT_ASKED;
  switch (planned.kind) {
    case 'spf': return evaluateSpf(domain.domain, txt, settings.spfInclude);
    case 'dkim': return evaluateDkim(planned.name, domain.domain, txt, domain.dkimPublicKey, false);
    case 'dkim-next': return evaluateDkim(planned.name, domain.domain, txt, domain.nextDkimPublicKey ?? '', true);
    case 'dmarc': return evaluateDmarc(planned.name, domain.domain, txt, domain.dmarcPolicy);
    case 'return-path': return evaluateReturnPath(planned.name, domain.domain, answers.cname[planned.name] ?? NOT_ASKED, settings.returnPathHost);
  }
}

function severityOf(e: Evaluation, required: boolean): RecordSeverity {
  const status = CHECK_MESSAGES[e.code].status;
  if (status === 'ok') return isWarningCode(e.code) ? 'warning' : 'ok';
  return required ? 'problem' : 'warning';
}

function toRecordCheck(planned: PlannedRecord, e: Evaluation): RecordCheck {
  return {
    kind: planned.kind, type: planned.type, name: planned.name, required: planned.required,
    status: CHECK_MESSAGES[e.code].status, severity: severityOf(e, planned.required),
    code: e.code, message: checkMessage(e.code, e.params), found: e.found,
    ...(e.suggestedValue ? { suggestedValue: e.suggestedValue } : {}),
  };
}

export interface DomainCheckOutcome {
  /** The domain as it is after the check (status, lastCheck, and the key if it rotated). */
  domain: SendingDomain;
  result: DomainCheckResult;
  /** The next DKIM key's record was found and it became the current key. */
  rotated: boolean;
}

export function evaluateDomain(domain: SendingDomain, answers: DnsAnswers, settings: DnsPlanSettings, now: Date): DomainCheckOutcome {
  let records = recordsToPublish(domain, settings).map((p) => toRecordCheck(p, evaluatePlanned(p, domain, answers, settings)));
  let updated: SendingDomain = { ...domain };
  const changes: string[] = [];

  const next = records.find((r) => r.kind === 'dkim-next');
  const rotated = next?.status === 'ok' && !!domain.nextDkimSelector && !!domain.nextDkimPrivateKeySealed && !!domain.nextDkimPublicKey;
  if (rotated && next) {
    updated = {
      ...updated,
      dkimSelector: domain.nextDkimSelector!, dkimPrivateKeySealed: domain.nextDkimPrivateKeySealed!, dkimPublicKey: domain.nextDkimPublicKey!,
      nextDkimSelector: null, nextDkimPrivateKeySealed: null, nextDkimPublicKey: null,
    };
    changes.push(checkMessage('DKIM_ROTATED', {
      name: next.name, selector: domain.nextDkimSelector!, oldSelector: domain.dkimSelector, oldName: dkimName(domain.dkimSelector, domain.domain),
    }));
    // The new key's result now stands for DKIM; the old key's record no longer matters.
    const asCurrent: RecordCheck = { ...next, kind: 'dkim', required: true, severity: 'ok' };
    records = records.filter((r) => r.kind !== 'dkim-next').map((r) => (r.kind === 'dkim' ? asCurrent : r));
  }

  const required = records.filter((r) => r.required);
  const verified = required.every((r) => r.status === 'ok');
  const definitelyNot = required.some((r) => r.status === 'missing' || r.status === 'wrong');
  const complete = !required.some((r) => r.status === 'error');
  let status: DomainStatus;
  if (verified) status = 'verified';
  else if (definitelyNot) status = domain.status === 'pending' ? 'pending' : 'failing';
  else status = domain.status;
  const statusKept = !verified && !definitelyNot;

  const at = now.toISOString();
  const summary = statusKept
    ? fillTemplate(SUMMARY_MESSAGES.incomplete, { status })
    : fillTemplate(SUMMARY_MESSAGES[status], { domain: domain.domain });
  const result: DomainCheckResult = { checkedAt: at, status, verified, complete, summary, records, changes };
  updated = {
    ...updated,
    status,
    lastCheck: result as unknown as Record<string, unknown>,
    checkedAt: at,
    verifiedAt: status === 'verified' && domain.status !== 'verified' ? at : domain.verifiedAt,
    updatedAt: at,
  };
  return { domain: updated, result, rotated };
}
