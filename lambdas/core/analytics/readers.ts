// Machines are not readers. Mail providers and security gateways open every link of a message within seconds of its
// delivery to check it; browsers prefetch; monitoring tools send HEAD. Each is answered like a reader (the redirect
// works for them) and counted as `filtered`, never as a click. docs/analytics.md says how each is told apart.

/** A click this soon after the message was built is a scanner's: no person opens and clicks that fast. */
export const scannerWindowMs = 10_000;

/** User agents of link scanners and fetchers, matched case-insensitively anywhere in the header. */
const scannerAgents = [
  'bot', 'crawler', 'spider', 'preview', 'scanner', 'proofpoint', 'mimecast', 'barracuda', 'safelinks', 'microsoft office',
  'ms-office', 'outlook-ios', 'googleimageproxy', 'google-safety', 'yahoomailproxy', 'symantec', 'trendmicro', 'fortiguard',
  'sophos', 'zscaler', 'cisco', 'ironport', 'forcepoint', 'checkpoint', 'curl/', 'wget/', 'python-requests', 'python-urllib',
  'go-http-client', 'java/', 'okhttp', 'libwww', 'httpclient', 'headlesschrome', 'phantomjs', 'slackbot', 'facebookexternalhit',
];

export type MachineReason = 'head' | 'prefetch' | 'agent' | 'tooSoon';

export interface ClickRequest {
  method: string;
  header(name: string): string | undefined;
  /** When the message was built and when the click arrived. */
  sentAt: Date;
  at: Date;
}

/** Why a request is a machine's, or undefined for what looks like a person. */
export function machineReason(request: ClickRequest): MachineReason | undefined {
  if (request.method === 'HEAD') return 'head';
  const purpose = `${request.header('purpose') ?? ''} ${request.header('sec-purpose') ?? ''} ${request.header('x-purpose') ?? ''} ${request.header('x-moz') ?? ''}`.toLowerCase();
  if (purpose.includes('prefetch') || purpose.includes('preview')) return 'prefetch';
  const agent = (request.header('user-agent') ?? '').toLowerCase();
  if (!agent || scannerAgents.some((a) => agent.includes(a))) return 'agent';
  if (request.at.getTime() - request.sentAt.getTime() < scannerWindowMs) return 'tooSoon';
  return undefined;
}
