// Validates Kubernetes manifests (YAML documents on stdin) against the schemas shipped in the
// kubernetes-models packages, offline. Prints a JSON array of {kind, name, errors} and exits 1 if any
// manifest is invalid or of a kind it has no schema for. ESM because those packages are ESM-only.
import { parseAllDocuments } from 'yaml';
import * as core from 'kubernetes-models';
import * as promOp from '@kubernetes-models/prometheus-operator';

/** Finds the model class for apiVersion + kind, e.g. apps/v1 Deployment -> core.apps.v1.Deployment. */
function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const camel = group.replace(/[.-](\w)/g, (_, c) => c.toUpperCase());
  const roots = group === 'monitoring.coreos.com' ? [promOp] : [core];
  for (const root of roots) {
    const ns = group === '' ? root[version] : root[camel]?.[version];
    if (ns?.[kind]) return ns[kind];
  }
  return undefined;
}

const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve(text));
});
const results = [];
for (const doc of parseAllDocuments(input)) {
  const obj = doc.toJS();
  if (!obj) continue;
  const entry = { kind: obj.kind, name: obj.metadata?.name, errors: [] };
  const Model = modelFor(obj.apiVersion ?? '', obj.kind ?? '');
  if (!Model) entry.errors.push(`no schema for ${obj.apiVersion} ${obj.kind}`);
  else {
    try {
      new Model(obj).validate();
    } catch (e) {
      entry.errors.push(...(e.errors ?? [e]).map((x) => `${x.instancePath ?? ''} ${x.message}`.trim()));
    }
  }
  results.push(entry);
}
console.log(JSON.stringify(results));
process.exitCode = results.some((r) => r.errors.length) ? 1 : 0;
