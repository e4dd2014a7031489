// Identity-policy evaluation, enough for the shape tests: Allow statements only (the roles have no Deny), action and
// resource wildcards (`*`, `?`). Conditions are evaluated only for keys the recorded call carries (`iam:PassedToService`
// on iam:PassRole, with StringEquals/StringLike; `dynamodb:LeadingKeys`, the partition keys an item request touches,
// with ForAllValues:StringLike/StringEquals); a condition on a key the call does not carry is taken as met, as AWS
// does for ForAllValues (a scan or an index query carries no leading keys).

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** One AWS API call a function made, as IAM sees it: every resource must be allowed (e.g. SES identity and configuration set). */
export interface AwsCall {
  /** The function (or service principal on its behalf) whose role is checked. */
  principal: string;
  action: string;
  resources: string[];
  /** Condition keys the request carries (multi-valued ones, like dynamodb:LeadingKeys, as lists). */
  context?: Record<string, string | string[]>;
  /** How the call came about, when not from the function's code (e.g. `event source mapping`). */
  via?: string;
}

const glob = (pattern: string, flags = '') =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);

export const actionMatches = (pattern: string, action: string) => glob(pattern, 'i').test(action);
export const resourceMatches = (pattern: string, resource: string) => glob(pattern).test(resource);

function conditionMet(condition: Statement['Condition'], context: Record<string, string | string[]>): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key];
      if (actual === undefined) continue; // not trivially evaluable here: ignored
      const values = Array.isArray(expected) ? expected : [expected];
      const matches = (test: string, like: boolean) => values.some((v) => (like ? resourceMatches(v, test) : v === test));
      const [quantifier, base] = operator.includes(':') ? operator.split(':') : [undefined, operator];
      const like = base === 'StringLike';
      if (base !== 'StringEquals' && base !== 'StringLike') continue;
      const tests = Array.isArray(actual) ? actual : [actual];
      const ok = quantifier === 'ForAnyValue' ? tests.some((t) => matches(t, like)) : tests.every((t) => matches(t, like));
      if (!ok) return false;
    }
  }
  return true;
}

/** The statements' grants that allow `action` on `resource` (empty: denied). */
export function allowingGrants(statements: Statement[], action: string, resource: string, context: AwsCall['context'] = {}): Grant[] {
  return grantsOf(statements).filter(
    (g) => actionMatches(g.action, action) && resourceMatches(g.resource, resource) && conditionMet(statements[g.statement]!.Condition, context),
  );
}

/** One action pattern on one resource pattern of one statement: the unit the coverage report counts. */
export interface Grant {
  statement: number;
  action: string;
  resource: string;
}

export function grantsOf(statements: Statement[]): Grant[] {
  return statements.flatMap((s, statement) => (s.Effect === 'Allow' ? s.Action.flatMap((action) => s.Resource.map((resource) => ({ statement, action, resource }))) : []));
}

export interface Denial {
  call: AwsCall;
  resource: string;
}

/** The calls (with the resource) that the principal's statements do not allow. */
export function denials(calls: AwsCall[], statementsOf: (principal: string) => Statement[]): Denial[] {
  const denied: Denial[] = [];
  for (const call of calls) {
    for (const resource of call.resources) {
      if (allowingGrants(statementsOf(call.principal), call.action, resource, call.context).length === 0) denied.push({ call, resource });
    }
  }
  return denied;
}

/** Grants of the principal that no call used. */
export function unusedGrants(principal: string, statements: Statement[], calls: AwsCall[]): Grant[] {
  const used = new Set<string>();
  for (const call of calls.filter((c) => c.principal === principal)) {
    for (const resource of call.resources) for (const g of allowingGrants(statements, call.action, resource, call.context)) used.add(JSON.stringify(g));
  }
  return grantsOf(statements).filter((g) => !used.has(JSON.stringify(g)));
}

export const describeDenial = ({ call, resource }: Denial) =>
  `${call.principal} called ${call.action} on ${resource}${call.via ? ` (${call.via})` : ''}${call.context?.['dynamodb:LeadingKeys'] ? ` (rows ${[call.context['dynamodb:LeadingKeys']].flat().join(', ')})` : ''}, which its role in the template does not allow`;

const leadingKeysOf = (s: Statement) => Object.entries(s.Condition ?? {}).find(([op]) => op.startsWith('ForAllValues:'))?.[1]['dynamodb:LeadingKeys'];

/** The partition-key patterns of the principal's `dynamodb:LeadingKeys` conditions that no call it made touched: rows a
 *  role may reach that no test reached. */
export function unusedLeadingKeys(principal: string, statements: Statement[], calls: AwsCall[]): Array<{ statement: number; pattern: string }> {
  const touched = calls.filter((c) => c.principal === principal).flatMap((c) => [c.context?.['dynamodb:LeadingKeys'] ?? []].flat());
  return statements.flatMap((s, statement) => {
    const patterns = leadingKeysOf(s);
    if (!patterns) return [];
    return [patterns].flat().filter((pattern) => !touched.some((key) => resourceMatches(pattern, key))).map((pattern) => ({ statement, pattern }));
  });
}
