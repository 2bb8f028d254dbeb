// SPF evaluated by mailauth (RFC 7208 with its lookup limits), the library Mailroom also uses for
// inbound mail, through the instance's own DNS lookup so tests can answer from a stand-in.
import { spf } from 'mailauth';
import type { SpfEvaluator, SpfResult } from '../../core/domains/dns-ports.ts';

const RESULTS = new Set<SpfResult>(['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror']);

export function createMailauthSpfEvaluator(options: { resolve: (name: string, type: string) => Promise<unknown>; mtaName: string }): SpfEvaluator {
  const resolver = options.resolve as (name: string, type: string) => Promise<string[][] | string[]>;
  return {
    async check({ domain, ip, helo }) {
      const sender = `postmaster@${domain}`;
      const answer = await spf({ sender, ip, helo, mta: options.mtaName, resolver });
      const raw = answer.status.result === 'temperr' ? 'temperror' : answer.status.result;
      const result: SpfResult = RESULTS.has(raw as SpfResult) ? (raw as SpfResult) : 'temperror';
      // mailauth's comment reads "<mta>: … lookup of <sender>: <reason>"; the reason is what people need.
      const comment = answer.status.comment ?? null;
      const reason = comment?.split(`${sender}: `)[1] ?? null;
      if (result === 'temperror') return { result, detail: plainDnsError(reason ?? comment) };
      return { result, detail: result === 'permerror' ? reason ?? comment : comment };
    },
  };
}

/** "queryTxt ESERVFAIL example.com" → "SERVFAIL": the words the domain checks use too. */
function plainDnsError(text: string | null): string | null {
  if (!text) return null;
  if (/ESERVFAIL/.test(text)) return 'SERVFAIL';
  if (/ETIMEOUT|timeout/i.test(text)) return 'DNS timeout';
  if (/EREFUSED|ECONNREFUSED/.test(text)) return 'DNS server refused';
  return text;
}
