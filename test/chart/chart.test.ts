import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CHART, ROOT, VALUES_CASES, find, helm, render, renderNotes, renderText, validate, valuesArgs, type Manifest } from './helm';

const CASES = Object.entries(VALUES_CASES);
/** Secret values used in the CI values files; none may leave the Secret. */
const CI_SECRETS = ['ci-api-key-3f9a', 'ci-metrics-token-77c2', 'ci-client-secret-77c2', 'ci-redis-password-5b1e', 'ci-smtp-password-a1d4', 'ci-webhook-token-9e0b',
  'ci-slack-token-4c4c', 'ci-telegram-token-8d8d'];

beforeAll(() => {
  helm(['version']);
}, 120_000);

/** Every pod spec in the manifests, with where it came from. */
function podSpecs(ms: Manifest[]): { where: string; spec: Manifest }[] {
  return ms.flatMap((m) => {
    if (m.kind === 'Pod') return [{ where: `Pod ${m.metadata.name}`, spec: m.spec }];
    if (m.kind === 'Deployment' || m.kind === 'StatefulSet') return [{ where: `${m.kind} ${m.metadata.name}`, spec: m.spec.template.spec }];
    return [];
  });
}

describe.each(CASES)('chart with %s values', (_name, file) => {
  let text: string;
  let ms: Manifest[];
  beforeAll(() => {
    text = renderText(file);
    ms = render(file);
  });

  it('passes helm lint --strict', () => {
    const r = helm(['lint', CHART, '--strict', ...valuesArgs(file)]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  it('renders only manifests that are valid against the Kubernetes and prometheus-operator schemas', () => {
    const { status, results } = validate(text);
    expect(results.filter((r) => r.errors.length)).toEqual([]);
    expect(status).toBe(0);
    expect(results.length).toBeGreaterThanOrEqual(7);
  });

  it('runs every container as a non-root user with a read-only root filesystem, no privilege escalation and no capabilities', () => {
    const specs = podSpecs(ms);
    expect(specs.length).toBeGreaterThanOrEqual(2);
    for (const { where, spec } of specs) {
      expect([where, spec.automountServiceAccountToken]).toEqual([where, false]);
      expect([where, spec.securityContext.runAsNonRoot]).toEqual([where, true]);
      expect([where, spec.securityContext.seccompProfile]).toEqual([where, { type: 'RuntimeDefault' }]);
      for (const c of spec.containers) {
        const sc = c.securityContext;
        expect([where, c.name, sc.runAsNonRoot, sc.readOnlyRootFilesystem, sc.allowPrivilegeEscalation, sc.capabilities.drop, sc.seccompProfile.type])
          .toEqual([where, c.name, true, true, false, ['ALL'], 'RuntimeDefault']);
        expect(typeof sc.runAsUser).toBe('number');
        expect(sc.runAsUser).toBeGreaterThan(0);
        // Credentials arrive as mounted files, never as environment values.
        for (const e of c.env ?? []) expect([c.name, e.name, e.valueFrom?.secretKeyRef]).toEqual([c.name, e.name, undefined]);
        expect(c.envFrom).toBeUndefined();
        if (!c.image.includes('@')) expect(c.image).not.toMatch(/:latest$/);
      }
    }
  });

  it('keeps secrets out of every object but the Secret', () => {
    const outside = ms.filter((m) => m.kind !== 'Secret').map((m) => JSON.stringify(m)).join('\n');
    for (const s of CI_SECRETS) expect(outside).not.toContain(s);
  });

  it('points every ...File key of the config at a key the mounted Secret provides', () => {
    const config = parse(find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    const deploy = find(ms, 'Deployment')!;
    const pod = deploy.spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((v: Manifest) => v.name === 'secrets').mountPath;
    const secretName = pod.volumes.find((v: Manifest) => v.name === 'secrets').secret.secretName;
    const files: string[] = [];
    JSON.stringify(config, (k, v) => (k.endsWith('File') && typeof v === 'string' ? (files.push(v), v) : v));
    const chartSecret = find(ms, 'Secret');
    for (const f of files) {
      expect(path.dirname(f)).toBe(mount);
      if (chartSecret) {
        expect(secretName).toBe(chartSecret.metadata.name);
        expect(Object.keys(chartSecret.data ?? {})).toContain(path.basename(f));
      }
    }
    for (const a of config.accounts) {
      expect(a.apiKey).toBeUndefined();
      expect(a.clientSecret).toBeUndefined();
      expect(Boolean(a.apiKeyFile) !== Boolean(a.clientSecretFile)).toBe(true);
    }
    expect(pod.containers[0].args).toEqual(['run', '--config', '/etc/sendpulse-monitor/config.yaml']);
  });

  it('probes /healthz for liveness and /readyz for readiness on the metrics port', () => {
    const c = find(ms, 'Deployment')!.spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http-metrics' });
    expect(c.ports).toEqual([{ name: 'http-metrics', containerPort: 9464, protocol: 'TCP' }]);
    expect(c.resources.limits.memory).toBeDefined();
  });
});

describe('chart defaults', () => {
  let ms: Manifest[];
  beforeAll(() => {
    ms = render(VALUES_CASES.defaults);
  });

  it('runs two replicas spread across nodes and keeps one up through voluntary disruptions', () => {
    const spec = find(ms, 'Deployment')!.spec;
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1 });
    expect(find(ms, 'PodDisruptionBudget')!.spec.minAvailable).toBe(1);
  });

  it('renders no ServiceMonitor, PrometheusRule, dashboard or NetworkPolicy unless enabled, since they need CRDs or opt-in', () => {
    const kinds = ms.map((m) => m.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    expect(kinds).not.toContain('NetworkPolicy');
    expect(ms.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name)).not.toContain('spm-sendpulse-monitor-dashboard');
  });

  it('bundles a single-node Redis with AOF persistence and noeviction, as BullMQ requires, and points the monitor at it', () => {
    const sts = find(ms, 'StatefulSet', '-redis')!;
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    expect(sts.spec.template.spec.containers[0].image).toMatch(/^docker\.io\/library\/redis:\d+\.\d+\.\d+/);
    const conf: string = find(ms, 'ConfigMap', '-redis')!.data['redis.conf'];
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
    const config = parse(find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    expect(config.redis.url).toBe('redis://spm-sendpulse-monitor-redis:6379');
    expect(find(ms, 'Service', '-redis')!.spec.ports[0].port).toBe(6379);
  });

  it('has a helm test pod that checks /readyz through the Service', () => {
    const pod = find(ms, 'Pod')!;
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0].command.join(' ')).toContain('http://spm-sendpulse-monitor:9464/readyz');
  });

  it('rolls the pods when the config changes, through the checksum annotation', () => {
    const sum = (set: string[]) => find(render(VALUES_CASES.defaults, set), 'Deployment')!.spec.template.metadata.annotations['checksum/config'];
    expect(sum([])).toMatch(/^[0-9a-f]{64}$/);
    expect(sum(['config.logLevel=debug'])).not.toBe(sum([]));
    expect(sum([])).toBe(sum([]));
  });
});

describe('chart options', () => {
  it('uses an external Redis over TLS with its CA trusted through NODE_EXTRA_CA_CERTS and renders no Redis of its own', () => {
    const ms = render(VALUES_CASES['external Redis with TLS']);
    expect(find(ms, 'StatefulSet')).toBeUndefined();
    const config = parse(find(ms, 'ConfigMap')!.data['config.yaml']);
    expect(config.redis).toEqual({ url: 'rediss://redis.example.internal:6380', prefix: 'spm', passwordFile: '/etc/sendpulse-monitor/secrets/redis-password' });
    const c = find(ms, 'Deployment')!.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/sendpulse-monitor/redis-ca/ca.crt' });
    const egress = find(ms, 'NetworkPolicy')!.spec.egress.flatMap((e: Manifest) => e.ports.map((p: Manifest) => p.port));
    expect(egress).toContain(6380);
  });

  it('reads credentials from an existing Secret and makes none of its own', () => {
    const ms = render(VALUES_CASES.existingSecret);
    expect(find(ms, 'Secret')).toBeUndefined();
    const pod = find(ms, 'Deployment')!.spec.template.spec;
    expect(pod.volumes.find((v: Manifest) => v.name === 'secrets').secret.secretName).toBe('sendpulse-credentials');
    const config = parse(find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    expect(config.accounts.map((a: Manifest) => a.apiKeyFile ?? a.clientSecretFile)).toEqual([
      '/etc/sendpulse-monitor/secrets/main-api-key',
      '/etc/sendpulse-monitor/secrets/backup-client-secret',
    ]);
    expect(config.alerts.email).toEqual({ smtpUrlFile: '/etc/sendpulse-monitor/secrets/smtp-url', from: 'monitor@example.com', to: ['ops@example.com'] });
    const redis = find(ms, 'StatefulSet')!.spec.template.spec;
    expect(redis.volumes.find((v: Manifest) => v.name === 'secrets').secret.secretName).toBe('sendpulse-credentials');
    expect(redis.containers[0].command.join(' ')).toContain('--requirepass "$(cat /etc/redis/secrets/redis-password)"');
  });

  it('labels the ServiceMonitor, PrometheusRule and dashboard for kube-prometheus-stack when everything is on', () => {
    const ms = render(VALUES_CASES['everything on']);
    const sm = find(ms, 'ServiceMonitor')!;
    expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'http-metrics', path: '/metrics', interval: '1m' });
    expect(sm.spec.selector.matchLabels).toEqual(find(ms, 'Service', 'sendpulse-monitor')!.spec.selector);
    expect(find(ms, 'PrometheusRule')!.metadata.labels.release).toBe('kube-prometheus-stack');
    const dash = find(ms, 'ConfigMap', '-dashboard')!;
    expect(dash.metadata.labels.grafana_dashboard).toBe('1');
    expect(dash.metadata.annotations.grafana_folder).toBe('SendPulse');
    expect(find(ms, 'Deployment')!.spec.template.spec.containers[0].image).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  it('protects /metrics with a bearer token from the Secret, and the ServiceMonitor sends it', () => {
    const ms = render(VALUES_CASES['everything on']);
    const config = parse(find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    expect(config.server.auth).toEqual({ bearerTokenFile: '/etc/sendpulse-monitor/secrets/metrics-bearer-token' });
    // Alert mails and webhooks link to the status page where people reach it.
    expect(config.server.publicUrl).toBe('https://monitor.example.com');
    const secret = find(ms, 'Secret')!;
    expect(Buffer.from(secret.data['metrics-bearer-token'], 'base64').toString()).toBe('ci-metrics-token-77c2');
    expect(find(ms, 'ServiceMonitor')!.spec.endpoints[0].authorization).toEqual({
      type: 'Bearer', credentials: { name: secret.metadata.name, key: 'metrics-bearer-token' },
    });
    // The probes stay open: they carry no credentials.
    const probes = find(ms, 'Deployment')!.spec.template.spec.containers[0];
    expect([probes.livenessProbe.httpGet.path, probes.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
  });

  it('ships in the dashboard ConfigMap exactly grafana/dashboard.json', () => {
    const source = fs.readFileSync(path.join(ROOT, 'grafana/dashboard.json'), 'utf8');
    const copy = fs.readFileSync(path.join(CHART, 'dashboards/sendpulse-monitor.json'), 'utf8');
    expect(copy).toBe(source); // if this fails: scripts/sync-dashboard.sh
    const dash = find(render(VALUES_CASES['everything on']), 'ConfigMap', '-dashboard')!;
    expect(JSON.parse(dash.data['sendpulse-monitor.json'])).toEqual(JSON.parse(source));
  });

  it('refuses values the schema forbids, naming the key', () => {
    for (const [set, key] of [
      ['accounts[0].name=Main', 'name'],
      ['redis.image.tag=latest', 'tag'],
      ['replicaCount=two', 'replicaCount'],
      ['config.logLevel=verbose', 'logLevel'],
      ['serviceMonitor.enabled=yes', 'enabled'],
    ]) {
      const r = helm(['template', 'spm', CHART, '--set', set]);
      expect([set, r.status]).toEqual([set, 1]);
      expect(r.stderr).toContain(key);
    }
  });

  it('renders Slack and Telegram credentials as Secret files, with their filters and Alertmanager from config.alerts', () => {
    const ms = render(VALUES_CASES['everything on']);
    const config = parse(find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    expect(config.alerts.slack).toEqual({ urlFile: '/etc/sendpulse-monitor/secrets/slack-url', severities: ['critical'] });
    expect(config.alerts.telegram).toEqual({ botTokenFile: '/etc/sendpulse-monitor/secrets/telegram-bot-token', chatId: '-1001234567890' });
    expect(config.alerts.alertmanager).toEqual({ urls: ['http://alertmanager-operated.monitoring:9093'], labels: { team: 'mail' } });
    expect(Object.keys(find(ms, 'Secret')!.data)).toEqual(expect.arrayContaining(['slack-url', 'telegram-bot-token']));
  });

  it('stops with a clear message when an account has no credential and no existingSecret', () => {
    const r = helm(['template', 'spm', CHART, '--set', 'accounts[0].name=main']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('accounts[0].apiKey: is required (or set existingSecret with the key main-api-key)');
  });

  it('refuses to render without an account, since the monitor would refuse to start', () => {
    const r = helm(['template', 'spm', CHART]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('accounts: at least one account is required');
  });

  it('keeps the monitor\'s own service and endpoint labels through the ServiceMonitor (honorLabels) and names the job after the Service', () => {
    const ms = render(VALUES_CASES['everything on']);
    const sm = find(ms, 'ServiceMonitor')!;
    expect(sm.spec.endpoints[0].honorLabels).toBe(true);
    expect(sm.spec.jobLabel).toBeUndefined();
    expect(find(ms, 'Service', 'sendpulse-monitor')!.metadata.name).toBe('spm-sendpulse-monitor');
  });

  it('has a validator that rejects a malformed manifest (so a pass means something)', () => {
    const bad = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector: {}\n  template:\n    spec:\n      containers:\n        - name: a\n          image: 3\n';
    const { status, results } = validate(bad);
    expect(status).toBe(1);
    expect(results[0].errors.join()).toContain('must be string');
  });
});

describe('NOTES', () => {
  it('says who sends notifications, and warns when both paths would reach people twice', () => {
    expect(renderNotes(VALUES_CASES['everything on'])).toContain('WARNING: both paths notify. The monitor sends its alerts itself (email, webhook, slack, telegram, Alertmanager (config.alerts.alertmanager)) AND the\n  PrometheusRule fires the same alerts in Alertmanager: every alert reaches people twice.');
    expect(renderNotes(VALUES_CASES.existingSecret)).toContain('Notifications: sent by the monitor itself (email).');
    expect(renderNotes(VALUES_CASES.defaults)).toContain('Notifications: none.');
    const prometheus = renderNotes(VALUES_CASES.defaults, ['prometheusRule.enabled=true']);
    expect(prometheus).toContain('Notifications: through Alertmanager (PrometheusRule spm-sendpulse-monitor).');
    expect(prometheus).toContain("equal: [namespace, job, sendpulse_rule, account, currency, service, tariff]");
  });
});
