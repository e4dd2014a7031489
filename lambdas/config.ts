// The one place configuration is read: the environment, parsed and validated once (at cold start, or when the local
// runtime starts). A missing or malformed value throws a ConfigError naming the variable and what it expects.
// Names here are shared with infra/, which sets them on each Lambda.
import { z } from 'zod';
import type { FaultKill } from './local/fault-injection.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = z.string().url();

/** The newsletter's brand when nothing is set: the Pacific Alliance seed. Infra sets the same values on each Lambda
 *  that renders an email, so the deployed template shows them. */
export const brandDefaults = {
  BRAND_NAME: 'Alianza del Pacífico',
  BRAND_COLOR: '#0b5cad',
  POSTAL_ADDRESS: 'Alianza del Pacífico · Lima, Perú',
} as const;

/** Brand settings, validated where they are read (here) and where infra takes them from CDK context. */
export const brandSchemas = {
  name: z.string().trim().min(1).max(80),
  /** Shown on light and dark backgrounds alike: give a logo with its own background, or one that reads on both. */
  logoUrl: url.refine((v) => v.startsWith('https://'), 'must be an https:// URL (mail clients block or warn on http images)'),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written #rrggbb, e.g. #0b5cad'),
  /** Bulk-mail law in several of the bloc's countries and in the United States asks for it in every email. */
  postalAddress: z.string().trim().min(10, 'must be the organisation\'s full postal address').max(200).refine((v) => !/[\r\n]/.test(v), 'must be on one line (separate parts with commas)'),
};

/** A source named in configuration (SOURCES locally, the `sources` CDK context in AWS). */
export const sourceSchema = z.object({
  url: url,
  name: z.string().min(1).optional(),
  defaultCountries: z.array(z.string()).optional(),
  defaultTopics: z.array(z.string()).optional(),
});

export const envSchema = z.object({
  STAGE: z.string().default('local'),
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().min(3).default('news'),
  /** Set locally (DynamoDB Local); unset in AWS. */
  DYNAMO_ENDPOINT: url.optional(),
  /** Set locally (aws-ses-v2-local); unset in AWS. */
  SES_ENDPOINT: url.optional(),
  SENDER_EMAIL: z.string().email().default('news@pacific-alliance.example'),
  /** Where people reach the service: links in feeds and emails are built on it. */
  PUBLIC_BASE_URL: url.default('http://127.0.0.1:3000'),
  /** Newsletter brand: the name in the masthead and footer, an optional https logo, the accent colour, the postal
   *  address every footer carries. */
  BRAND_NAME: brandSchemas.name.default(brandDefaults.BRAND_NAME),
  BRAND_LOGO_URL: brandSchemas.logoUrl.optional(),
  BRAND_COLOR: brandSchemas.color.default(brandDefaults.BRAND_COLOR),
  POSTAL_ADDRESS: brandSchemas.postalAddress.default(brandDefaults.POSTAL_ADDRESS),
  /** Bearer token for the editor API (locally; in AWS, read from SSM/Secrets Manager by the handler). */
  EDITOR_TOKEN: z.string().min(16).optional(),
  /** HMAC secret for confirmation, preference and unsubscribe links. */
  SIGNING_SECRET: z.string().min(32).optional(),
  /** JSON list of sources polled on schedule: [{"url","name"?,"defaultCountries"?,"defaultTopics"?}] */
  SOURCES: z
    .string()
    .default('[]')
    .transform((raw, ctx) => {
      try {
        return z.array(sourceSchema).parse(JSON.parse(raw));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `SOURCES must be a JSON list of {url,name?,...}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  /** Loopback sources are allowed locally so feeds served on this machine can be ingested; never in AWS. */
  ALLOW_LOOPBACK_SOURCES: bool.default(false),
  FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  FETCH_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  FETCH_MAX_REDIRECTS: z.coerce.number().int().min(0).max(10).default(5),
  FEED_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /** How long a process keeps a feed scope's head record before reading it again (0: every request reads it). */
  FEED_HEAD_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  WEBSUB_HUB_URL: url.optional(),
  SES_CONFIGURATION_SET: z.string().optional(),
  /** Messages per second; SES's MaxSendRate for the account. */
  SES_MAX_SEND_RATE: z.coerce.number().positive().default(14),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** Newsletters: recipients per queued chunk (one SQS message). */
  SEND_CHUNK_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /** Newsletters: a delivery claim that no SES record confirms is retried only after this many seconds. */
  SEND_IN_DOUBT_AFTER_SECONDS: z.coerce.number().int().min(0).default(900),
  /** Local only (the SQS stand-in, when SEND_QUEUE_URL is unset): how long a received chunk stays invisible, and how
   *  many receives before it is dead-lettered. Together they must outlast SEND_IN_DOUBT_AFTER_SECONDS. */
  LOCAL_QUEUE_VISIBILITY_SECONDS: z.coerce.number().int().positive().default(120),
  LOCAL_QUEUE_MAX_RECEIVE_COUNT: z.coerce.number().int().positive().default(10),
  /** Newsletters: bounce and complaint rates (of sent) past which a sending edition pauses itself. */
  SEND_MAX_BOUNCE_RATE: z.coerce.number().min(0).max(1).default(0.05),
  SEND_MAX_COMPLAINT_RATE: z.coerce.number().min(0).max(1).default(0.001),
  /** AWS only: SSM SecureString parameter names holding the editor token and the signing secret (read at cold start). */
  EDITOR_TOKEN_PARAMETER: z.string().optional(),
  SIGNING_SECRET_PARAMETER: z.string().optional(),
  /** AWS only: the Secrets Manager secret whose value CloudFront sends in X-Origin-Verify (requests without it are refused). */
  ORIGIN_VERIFY_SECRET_ARN: z.string().optional(),
  /** The X-Origin-Verify value itself (read from ORIGIN_VERIFY_SECRET_ARN at cold start in AWS). Set: every request
   *  without it is refused, and the client address is the X-Viewer-Address CloudFront puts on the request. */
  ORIGIN_VERIFY_SECRET: z.string().min(16).optional(),
  /** Without ORIGIN_VERIFY_SECRET: how many proxies in front of the service append to X-Forwarded-For (0: trust no
   *  forwarding header, the client address is the connection's). */
  TRUST_FORWARDED_FOR: z.coerce.number().int().min(0).max(10).default(0),
  /** Click counting: 'off' sends every link straight to its source, for everyone (links already sent still work). */
  CLICK_TRACKING: z.enum(['on', 'off']).default('on'),
  /** AWS only: where background work goes (set by the stack). */
  SEND_QUEUE_URL: url.optional(),
  /** AWS only: receives before the send queue dead-letters a chunk (set by the stack from the queue's redrive policy). */
  SEND_QUEUE_MAX_RECEIVE_COUNT: z.coerce.number().int().positive().optional(),
  SEND_PLANNER_FUNCTION: z.string().optional(),
  EDITION_SCHEDULE_GROUP: z.string().optional(),
  EDITION_SCHEDULER_ROLE_ARN: z.string().optional(),
  FAILED_INVOCATIONS_QUEUE_ARN: z.string().optional(),
  /** Subscriptions: subscribe/resend requests allowed per client IP per hour. */
  SUBSCRIBE_IP_LIMIT_PER_HOUR: z.coerce.number().int().positive().default(20),
  /** Subscriptions: a subscribe or resend answers no sooner than this many ms after its address-dependent work began,
   *  so new, pending, confirmed, unsubscribed, erased and suppressed addresses all answer alike. Keep it above the
   *  slowest path (a new address: five table writes and an SES send). */
  SUBSCRIBE_ANSWER_FLOOR_MS: z.coerce.number().int().min(0).max(5000).default(400),
  /** Subscriptions: soft (transient) bounces before an address is suppressed. */
  SOFT_BOUNCE_LIMIT: z.coerce.number().int().positive().default(3),
  /** Subscriptions: version of the consent wording shown on the subscribe form, stored with each consent proof. */
  CONSENT_WORDING_VERSION: z.string().min(1).default('2026-01'),
  /** Subscriptions: mailto target of List-Unsubscribe (optional; the https one-click link is always there). */
  UNSUBSCRIBE_MAILTO: z.string().email().optional(),
  /** AWS only: editors' Cognito user pool, app client and hosted sign-in base URL (set by the stack; public ids). */
  EDITOR_USER_POOL_ID: z.string().optional(),
  EDITOR_USER_POOL_CLIENT_ID: z.string().optional(),
  EDITOR_SIGN_IN_URL: url.optional(),
  /** Set by Lambda itself: metrics are published only inside a function. */
  AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
});

export type Config = z.infer<typeof envSchema>;

/** Distinct characters and their spread: a token of 32 `a`s, or `1234…`, is long but guessable. */
function entropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / value.length) * Math.log2(n / value.length);
  return perChar * value.length;
}

export const minDeployedEditorTokenLength = 32;
const minDeployedEditorTokenBits = 96;

/** Where the service is deployed (STAGE not 'local'), the editor token guards everything an editor can do: it must be
 *  long and random, e.g. `openssl rand -base64 32`. */
const deployedRules = (config: Config, ctx: z.RefinementCtx) => {
  const token = config.EDITOR_TOKEN;
  if (config.STAGE === 'local' || token === undefined) return;
  if (token.length < minDeployedEditorTokenLength || entropyBits(token) < minDeployedEditorTokenBits) {
    ctx.addIssue({
      code: 'custom',
      path: ['EDITOR_TOKEN'],
      message: `must be at least ${minDeployedEditorTokenLength} random characters where the service is deployed (STAGE=${config.STAGE}); make one with \`openssl rand -base64 32\``,
    });
  }
};
const configSchema = envSchema.superRefine(deployedRules);

const port = (name: string) =>
  z.coerce.number().refine((n) => Number.isInteger(n) && n >= 0 && n <= 65535, { message: `${name} must be a port number` });
/** An empty variable counts as unset, as `VAR= npm start` means. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** The local runtime behind `npm start` only: where it serves and how it runs its engines. */
export const localRuntimeSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port('PORT').default(3000),
  /** Set: DynamoDB Local keeps its data (and the local queue, schedules and generated secrets) in this folder; unset: in memory. */
  DATA_DIR: optional(z.string()),
  /** Fixed ports for the local engines; unset: free ports. */
  DYNAMO_PORT: optional(port('DYNAMO_PORT')),
  SES_PORT: optional(port('SES_PORT')),
  ENGINE_START_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** An SES local already running (its record of what was sent then outlives `npm start`): used, none is started. */
  SES_ENDPOINT: optional(url),
  /** TEST ONLY (the fault-injection suite): `<planning|afterClaim|afterSes>:<n>[:SIGKILL|SIGTERM]` makes the service
   *  signal itself the n-th time its send pipeline reaches that point (lambdas/local/fault-injection.ts). Never set it
   *  for real use. */
  FAULT_KILL_AT: optional(
    z
      .string()
      .regex(/^(planning|afterClaim|afterSes):[1-9]\d*(:(SIGKILL|SIGTERM))?$/, 'must be <planning|afterClaim|afterSes>:<n>[:SIGKILL|SIGTERM] (test only)')
      .transform((text): FaultKill => {
        const [point, hit, signal = 'SIGKILL'] = text.split(':');
        return { point, hit: Number(hit), signal } as FaultKill;
      }),
  ),
});

export type LocalRuntimeConfig = z.infer<typeof localRuntimeSchema>;

function parse<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = parse(configSchema, env);
  assertLocalRedeliveryOutlastsInDoubt(config);
  return config;
}

/** The signing secret, for whatever signs or checks a link (subscriptions, newsletters, the pages, editor sessions).
 *  There is no fallback key: without the secret those parts refuse to be built, at start. */
export function requireSigningSecret(config: Pick<Config, 'SIGNING_SECRET'>): string {
  if (!config.SIGNING_SECRET) {
    throw new ConfigError('SIGNING_SECRET is not set (at least 32 characters; in AWS, the SSM parameter named by SIGNING_SECRET_PARAMETER): every confirmation, preference and unsubscribe link is signed with it, so nothing that signs or checks a link starts without it.');
  }
  return config.SIGNING_SECRET;
}

export function loadLocalRuntimeConfig(env: Record<string, string | undefined> = process.env): LocalRuntimeConfig {
  return parse(localRuntimeSchema, env);
}

/** The environment laid over defaults that only the caller knows (the local runtime's), with `fixed` on top. */
export function loadConfigOver(
  defaults: Record<string, string>,
  fixed: Record<string, string> = {},
  env: Record<string, string | undefined> = process.env,
): Config {
  return loadConfig({ ...defaults, ...env, ...fixed });
}

/** A chunk whose claims are in doubt is retried until the in-doubt bound passes; a queue that dead-letters it sooner
 *  leaves those recipients unsent. Checked for the local queue; in AWS the stack sets the SQS queue's values. */
function assertLocalRedeliveryOutlastsInDoubt(config: Config): void {
  if (config.SEND_QUEUE_URL) return;
  const window = config.LOCAL_QUEUE_VISIBILITY_SECONDS * config.LOCAL_QUEUE_MAX_RECEIVE_COUNT;
  if (window > config.SEND_IN_DOUBT_AFTER_SECONDS) return;
  throw new ConfigError(
    `LOCAL_QUEUE_VISIBILITY_SECONDS × LOCAL_QUEUE_MAX_RECEIVE_COUNT (${config.LOCAL_QUEUE_VISIBILITY_SECONDS} × ` +
      `${config.LOCAL_QUEUE_MAX_RECEIVE_COUNT} = ${window} s) must be longer than SEND_IN_DOUBT_AFTER_SECONDS ` +
      `(${config.SEND_IN_DOUBT_AFTER_SECONDS} s), or chunks still in doubt are dead-lettered unsent; raise one of the first two or lower the last.`,
  );
}
