import type { Company } from '../../api/types.ts';

/** Companies in tree order (parents before their children) with their depth, for indented lists. */
export function companyTree(companies: Company[]): { company: Company; depth: number }[] {
  const ids = new Set(companies.map((c) => c.id));
  const children = new Map<string | null, Company[]>();
  for (const c of companies) {
    const parent = c.parentId && ids.has(c.parentId) ? c.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  const out: { company: Company; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const c of (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ company: c, depth });
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
