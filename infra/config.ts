// Typed stage configuration, read once from CDK context (cdk.json, `-c key=value`) and validated with zod. A bad or
// missing value fails synthesis with one line naming the context key and what it expects.
//
// Context values given on the command line arrive as strings; those in cdk.json arrive as JSON. Both are accepted.
import { z } from 'zod';
import { brandDefaults, brandSchemas, sourceSchema } from '../lambdas/config.js';
import { senderSizing } from './sizing.js';

export class StageConfigError extends Error {
  override name = 'StageConfigError';
}

/** Minimal view of a construct node, so this module does not depend on how the app was built. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case DNS domain such as example.org');
const httpsUrl = z
  .string()
  .url()
  .refine((v) => v.startsWith('https://'), 'an https:// URL')
  .transform((v) => v.replace(/\/+$/, ''));

/** Log retention values CloudWatch Logs accepts (days). */
const retentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const stageSchema = z
  .object({
    stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters (dev, prod)'),
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1').optional(),
    /** The address newsletters come from; must belong to senderDomain. */
    senderEmail: z.string().email(),
    /** The domain verified in SES with Easy DKIM (DNS records: see docs/deploy.md). */
    senderDomain: domain,
    /** Custom MAIL FROM subdomain (SPF alignment): `<mailFromSubdomain>.<senderDomain>`. */
    mailFromSubdomain: z.string().regex(/^[a-z0-9-]{1,63}$/).default('mail'),
    /** Where people reach the service (links in feeds and emails). The CloudFront alias, or its *.cloudfront.net name. */
    publicBaseUrl: httpsUrl,
    /** Optional custom domain on CloudFront; needs an ACM certificate in us-east-1. */
    domainName: domain.optional(),
    certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/, 'an ACM certificate ARN in us-east-1').optional(),
    sources: z
      .union([z.string(), z.array(z.unknown())])
      .default([])
      .transform((raw, ctx) => {
        try {
          return z.array(sourceSchema).parse(typeof raw === 'string' ? JSON.parse(raw) : raw);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `a JSON list of {url,name?,defaultCountries?,defaultTopics?}: ${(error as Error).message}` });
          return z.NEVER;
        }
      }),
    feedPageSize: int(1, 500).default(50),
    websubHubUrl: z.string().url().optional(),
    /** SES MaxSendRate of the account (messages/s); split across the concurrent senders. */
    sesMaxSendRate: z.coerce.number().positive().max(10_000).default(14),
    /**
     * The account is still in the SES sandbox: there SES also authorises ses:SendEmail against each (verified)
     * recipient identity, so the senders get it on identity/* of this account. Turn off after leaving the sandbox.
     */
    sesSandbox: flag.default(false),
    /** SQS event source maxConcurrency of the sender (2..1000). */
    sendConcurrency: int(2, 1000).default(2),
    /** Reserve Lambda concurrency (ingest 1, planner 2, sender = sendConcurrency). Off for accounts whose quota is 10. */
    reserveConcurrency: flag.optional(),
    apiThrottleRate: int(1, 10_000).default(50),
    apiThrottleBurst: int(1, 5_000).default(100),
    alarmEmail: z.string().email().optional(),
    logRetentionDays: z.coerce
      .number()
      .refine((n): n is (typeof retentionDays)[number] => (retentionDays as readonly number[]).includes(n), `one of ${retentionDays.join(', ')}`)
      .default(30),
    /** SSM SecureString parameter names (the values are set out of band: docs/deploy.md). */
    editorTokenParameter: z.string().regex(/^\/[\w./-]+$/, 'an SSM parameter name starting with /').optional(),
    signingSecretParameter: z.string().regex(/^\/[\w./-]+$/, 'an SSM parameter name starting with /').optional(),
    /** Prefix of the Cognito hosted sign-in domain for editors (globally unique per region). */
    editorAuthDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes (no "aws", "amazon" or "cognito")')
      .refine((v) => !/aws|amazon|cognito/.test(v), 'must not contain aws, amazon or cognito')
      .optional(),
    /** The newsletter's brand (validated as the Lambdas validate BRAND_*, POSTAL_ADDRESS); the postal address is in
     *  every footer. Set on each Lambda that renders an email. */
    brandName: brandSchemas.name.default(brandDefaults.BRAND_NAME),
    brandLogoUrl: brandSchemas.logoUrl.optional(),
    brandColor: brandSchemas.color.default(brandDefaults.BRAND_COLOR),
    postalAddress: brandSchemas.postalAddress.default(brandDefaults.POSTAL_ADDRESS),
    /** IANA time zone for the digest schedules. */
    digestTimeZone: z.string().default('America/Bogota'),
    digestHour: int(0, 23).default(7),
    /** Tests and quick synths: use a placeholder instead of esbuild bundles of the handler entries. */
    skipBundling: flag.default(false),
  })
  .superRefine((c, ctx) => {
    if (!c.senderEmail.toLowerCase().endsWith(`@${c.senderDomain}`)) {
      ctx.addIssue({ code: 'custom', path: ['senderEmail'], message: `must be an address at senderDomain (${c.senderDomain})` });
    }
    const sizing = senderSizing(c);
    if ('problem' in sizing) ctx.addIssue({ code: 'custom', path: ['sendConcurrency'], message: sizing.problem });
    if (c.stage === 'prod' && !c.alarmEmail) {
      ctx.addIssue({ code: 'custom', path: ['alarmEmail'], message: 'required for prod: alarms must reach an operator' });
    }
    if ((c.domainName === undefined) !== (c.certificateArn === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['domainName'], message: 'domainName and certificateArn go together' });
    }
  });

export type StageInput = z.input<typeof stageSchema>;

export interface StageConfig extends Omit<z.output<typeof stageSchema>, 'reserveConcurrency' | 'editorTokenParameter' | 'signingSecretParameter'> {
  reserveConcurrency: boolean;
  editorTokenParameter: string;
  signingSecretParameter: string;
  /** `<stage>` prefixed names of resources, e.g. pacific-news-dev. */
  prefix: string;
}

export const contextKeys = Object.keys(stageSchema.shape) as (keyof StageInput)[];

/** Parses a plain object (tests) into a stage config. */
export function parseStageConfig(raw: Record<string, unknown>): StageConfig {
  const parsed = stageSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'context'}: ${i.message}`).join('; ');
    throw new StageConfigError(`Invalid CDK context (cdk.json or -c key=value): ${problems}`);
  }
  const c = parsed.data;
  const prefix = `pacific-news-${c.stage}`;
  return {
    ...c,
    reserveConcurrency: c.reserveConcurrency ?? c.stage === 'prod',
    editorTokenParameter: c.editorTokenParameter ?? `/pacific-news/${c.stage}/editor-token`,
    signingSecretParameter: c.signingSecretParameter ?? `/pacific-news/${c.stage}/signing-secret`,
    prefix,
  };
}

/** The brand variables of the Lambdas that render an email (HTTP app: preview, test send, archive; planner; digest). */
export function brandEnvironment(c: Pick<StageConfig, 'brandName' | 'brandLogoUrl' | 'brandColor' | 'postalAddress'>): Record<string, string> {
  return {
    BRAND_NAME: c.brandName,
    BRAND_COLOR: c.brandColor,
    POSTAL_ADDRESS: c.postalAddress,
    ...(c.brandLogoUrl ? { BRAND_LOGO_URL: c.brandLogoUrl } : {}),
  };
}

/** Reads every known key from the CDK context. */
export function loadStageConfig(node: ContextSource): StageConfig {
  const raw: Record<string, unknown> = {};
  for (const key of contextKeys) {
    const value = node.tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return parseStageConfig(raw);
}
