#!/usr/bin/env bash
# Fails when `npm audit --omit=dev` reports a high or critical advisory in a production dependency
# (issue 6: none may ship). Needs the npm registry's advisory endpoint; where that endpoint cannot be
# reached (a mirror or proxy that only allows GET, as on the project's build machines) the audit is
# reported as SKIPPED and the script exits 0, unless AUDIT_REQUIRED=1 makes that a failure too.
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(npm audit --omit=dev --audit-level=high --json 2>/dev/null)
rc=$?
# A real audit answer carries metadata.vulnerabilities; an endpoint failure carries only an error.
counts=$(printf '%s' "$out" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    try {
      const v = JSON.parse(s).metadata?.vulnerabilities;
      if (!v) process.exit(3);
      console.log(`critical=${v.critical} high=${v.high} moderate=${v.moderate} low=${v.low}`);
    } catch { process.exit(3); }
  });')
if [ $? -ne 0 ]; then
  reason=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{try{console.log(JSON.parse(s).message??"no answer")}catch{console.log("no answer")}})')
  echo "npm audit: SKIPPED: the advisory endpoint did not answer ($reason)"
  [ "${AUDIT_REQUIRED:-0}" = "1" ] && exit 1
  exit 0
fi
echo "npm audit --omit=dev: $counts"
if [ $rc -ne 0 ]; then
  npm audit --omit=dev --audit-level=high || true
  echo "npm audit: FAILED: high or critical advisories in production dependencies (fix with npm install PKG@FIXED_VERSION)"
  exit 1
fi
echo "npm audit: ok (no high or critical advisories)"
