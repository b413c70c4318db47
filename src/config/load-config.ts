import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { CHANNEL_NAMES } from '../alerts/channels';
import { ConfigError } from '../errors';
import { buildConfig } from './build-config';
import { crossChecks } from './cross-checks';
import { envTree } from './env-config';
import { formatKeyPath, type Problem } from './key-path';
import { buildConfigSchema } from './schema';
import { substituteEnv } from './substitute-env';
import type { MonitorConfig } from './types';
import { zodIssueProblems } from './zod-issue-problems';

/**
 * A part of the configuration that a command may leave out (see LoadConfigOptions.skip):
 * `channels` is every notification channel under `alerts:` (email, webhook, slack, ...) with the
 * accounts' extra recipients.
 */
export type ConfigSection = 'redis' | 'server' | 'channels';

/** The environment variables of env-only mode that fill each section. */
const SECTION_ENV: Record<ConfigSection, string[]> = {
  redis: ['REDIS_URL'],
  server: ['PORT'],
  channels: ['SMTP_URL', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO'],
};

/** Where the configuration comes from; `env` defaults to process.env. */
export interface LoadConfigOptions {
  /** The YAML file; default: the env SENDPULSE_MONITOR_CONFIG; neither: env-only mode. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Sections the command does not use (`check` needs neither Redis nor the mail server): they are
   * neither read (no `${VAR}`, no `...File`) nor checked, and the result holds their defaults (no
   * alert channel). Default: none skipped.
   */
  skip?: readonly ConfigSection[];
}

/** The problem reported when there is neither a file nor credentials in the environment. */
export const HOW_TO_CONFIGURE =
  'no configuration: pass --config FILE, or set SENDPULSE_MONITOR_CONFIG=FILE, ' +
  'or set SENDPULSE_API_KEY (or SENDPULSE_CLIENT_ID and SENDPULSE_CLIENT_SECRET) to watch one account';

/**
 * The validated configuration, from the YAML file (`${VAR}` substituted, `...File` secrets read)
 * or, with no file, from the environment; defaults filled and every secret a Secret. Throws one
 * ConfigError listing every problem, one line each, naming the key path (never a secret value).
 */
export function loadConfig(opts: LoadConfigOptions = {}): MonitorConfig {
  const skip = opts.skip ?? [];
  const env = withoutSkipped(opts.env ?? process.env, skip);
  const file = opts.file ?? (env.SENDPULSE_MONITOR_CONFIG || undefined);
  if (file !== undefined) return loadFile(file, env, skip);
  const fromEnv = envTree(env);
  if (!fromEnv) throw new ConfigError([HOW_TO_CONFIGURE]);
  return validate(fromEnv.tree, process.cwd(), fromEnv.problems, fromEnv.aliases);
}

function withoutSkipped(env: NodeJS.ProcessEnv, skip: readonly ConfigSection[]): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const section of skip) for (const name of SECTION_ENV[section]) delete out[name];
  return out;
}

/** The tree without the skipped sections (before `${VAR}` substitution, so their variables are not needed). */
function dropSkipped(tree: Record<string, unknown>, skip: readonly ConfigSection[]): void {
  const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  for (const section of skip) {
    if (section !== 'channels') {
      delete tree[section];
      continue;
    }
    const alerts = obj(tree.alerts);
    for (const channel of CHANNEL_NAMES) delete alerts?.[channel];
    // Extra recipients only mean something with the email channel.
    if (Array.isArray(tree.accounts)) for (const account of tree.accounts) delete obj(obj(account)?.alerts)?.to;
  }
}

function loadFile(file: string, env: NodeJS.ProcessEnv, skip: readonly ConfigSection[]): MonitorConfig {
  const full = resolve(file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`cannot read config file ${full}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code)}`]);
  }
  // `<<` merge keys are YAML 1.1, but users reach for them to share an account block.
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    // Only the first line of yaml's message: the rest is a code frame that may show a secret.
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return `${full}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${message}`;
      }),
    );
  }
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigError([`${full}: YAML error: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (tree === null || tree === undefined) throw new ConfigError([`${full}: the file is empty (it needs at least an accounts: list)`]);
  if (typeof tree !== 'object' || Array.isArray(tree)) throw new ConfigError([`${full}: must be a mapping of keys (sendpulse:, redis:, accounts:, ...)`]);

  // Top-level `x-...` keys hold YAML anchors for reuse (the compose-file convention); they are not settings.
  for (const key of Object.keys(tree)) if (key.startsWith('x-')) delete (tree as Record<string, unknown>)[key];
  dropSkipped(tree as Record<string, unknown>, skip);
  const substituted = substituteEnv(tree, env);
  const aliases = new Map<string, string>();
  const alerts = (substituted.tree as Record<string, unknown>).alerts as Record<string, unknown> | undefined;
  const email = alerts?.email as Record<string, unknown> | undefined;
  // Issue 4: the SMTP URL may come from the env SMTP_URL, which keeps the password out of the file.
  if (email && typeof email === 'object' && email.smtpUrl === undefined && email.smtpUrlFile === undefined && env.SMTP_URL) {
    email.smtpUrl = env.SMTP_URL;
    aliases.set('alerts.email.smtpUrl', 'SMTP_URL (for alerts.email.smtpUrl)');
  }
  return validate(substituted.tree, dirname(full), substituted.problems, aliases);
}

/** Schema, cross-field checks and build; `early` problems win over later ones on the same key. */
function validate(tree: unknown, baseDir: string, early: Problem[], aliases: Map<string, string>): MonitorConfig {
  const schema = buildConfigSchema(baseDir);
  const parsed = schema.safeParse(tree, { reportInput: true });
  const later = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => zodIssueProblems(issue, schema))),
    ...crossChecks(tree),
  ];
  const lines: string[] = [];
  const taken = early.map((p) => display(p.path, aliases));
  const add = (path: string, message: string) => {
    const line = path === '' ? message : `${path}: ${message}`;
    if (!lines.includes(line)) lines.push(line);
  };
  for (const p of early) add(display(p.path, aliases), p.message);
  for (const p of later) {
    const where = display(p.path, aliases);
    // A key whose ${VAR} is missing (or whose env variable is already reported) gets one problem, not two.
    if (!taken.some((t) => where === t || where.startsWith(`${t}.`) || where.startsWith(`${t}[`))) add(where, p.message);
  }
  if (lines.length > 0 || !parsed.success) throw new ConfigError(lines);
  return buildConfig(parsed.data);
}

/** The key path a user reads, or the env variable it came from. */
function display(path: PropertyKey[], aliases: Map<string, string>): string {
  const where = formatKeyPath(path);
  for (const [key, variable] of aliases) {
    if (where === key || where.startsWith(`${key}[`) || where.startsWith(`${key}.`)) return variable;
  }
  return where;
}
