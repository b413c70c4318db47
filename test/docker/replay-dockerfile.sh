#!/usr/bin/env bash
# Replays the Dockerfile's steps without a Docker engine, in a clean temporary directory:
#   build stage: npm ci + npm run build on the context that .dockerignore lets through;
#   deps stage:  npm ci --omit=dev;
#   final stage: dist + production node_modules only, files owned by root, run as uid/gid 10001;
# then starts the CLI with --version, and `run` against the simulator with a private redis-server,
# waiting for /readyz and /metrics, and stops it with SIGTERM (expecting exit 0).
# Usage: test/docker/replay-dockerfile.sh [--keep]   (prints the final directory with --keep)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
uid=10001
keep=""; [[ "${1:-}" == "--keep" ]] && keep=1
work="$(mktemp -d /tmp/spm-replay.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -n "$keep" ]] || rm -rf "$work"
}
trap cleanup EXIT
step() { echo "==> $*" >&2; }

# The build context: files git knows (tracked or not ignored) minus .dockerignore, as `COPY . .` sees them.
step "context"
mkdir -p "$work/build" "$work/app"
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
  | tar --anchored --exclude-from=.dockerignore --null -T - -cf - ) | tar -xf - -C "$work/build"
[[ ! -e "$work/build/test" && ! -e "$work/build/helm" ]] || { echo ".dockerignore did not apply" >&2; exit 1; }

step "build stage: npm ci && npm run build"
(cd "$work/build" && npm ci --no-audit --no-fund --loglevel=error && npm run build)

step "deps stage: npm ci --omit=dev"
cp "$root/package.json" "$root/package-lock.json" "$work/app/"
(cd "$work/app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)

step "final stage: dist + production node_modules"
cp -r "$work/build/dist" "$work/app/dist"
rm -rf "$work/build"
# Root-owned and not writable by the runtime user, as in the image.
chmod -R go-w "$work/app"; chmod 755 "$work"
for dev in typescript jest ts-jest; do
  [[ ! -e "$work/app/node_modules/$dev" ]] || { echo "dev dependency $dev is in the final stage" >&2; exit 1; }
done

# A command prefix, not a function: `"${as_user[@]}" cmd &` then execs straight into cmd, so $! is its pid
# and cleanup stops the real process, not a wrapper shell.
as_user=(setpriv --reuid="$uid" --regid="$uid" --clear-groups env -i PATH="$PATH" HOME=/nonexistent NODE_ENV=production)
cli="$work/app/dist/src/cli/index.js"

step "as uid $uid: --version"
version="$(cd /tmp && "${as_user[@]}" node "$cli" --version)"
expected="$(node -p "require('$root/package.json').version")"
[[ "$version" == *"$expected"* ]] || { echo "--version printed '$version', expected $expected" >&2; exit 1; }
echo "version $version" >&2
# The demo's mail catcher (smtp-server, mailparser) must be in the production dependencies.
(cd /tmp && "${as_user[@]}" node "$cli" demo --help) | grep -q 'mail catcher' || { echo "demo --help failed in the image" >&2; exit 1; }

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_http() { # url, seconds
  for _ in $(seq 1 $(( $2 * 5 ))); do
    if node -e "fetch('$1').then(r=>{process.exitCode=r.ok?0:1},()=>{process.exitCode=1})"; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for $1" >&2; return 1
}

wait_port() { # port, seconds
  for _ in $(seq 1 $(( $2 * 5 ))); do
    if node -e "const s=require('net').connect($1,'127.0.0.1').on('connect',()=>s.end()).on('error',()=>{process.exitCode=1})"; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for port $1" >&2; return 1
}

step "as uid $uid: run against the simulator"
redis_port="$(free_port)"; sim_port="$(free_port)"; port="$(free_port)"
mkdir -m 777 "$work/redis"
"${as_user[@]}" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis" >"$work/redis.log" 2>&1 &
pids+=($!)
(cd /tmp && exec "${as_user[@]}" node "$cli" simulate --port "$sim_port" --generate 1) > "$work/simulate.log" 2>&1 &
pids+=($!)
wait_port "$sim_port" 20
(cd /tmp && exec "${as_user[@]}" SENDPULSE_API_KEY=sim-key-00001 SENDPULSE_API_URL="http://127.0.0.1:$sim_port" \
  REDIS_URL="redis://127.0.0.1:$redis_port" PORT="$port" node "$cli" run) > "$work/run.log" 2>&1 &
run_pid=$!
pids+=($run_pid)
wait_http "http://127.0.0.1:$port/readyz" 30
# The worker polled the simulator: an account is up in /metrics.
polled=""
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$port/metrics').then(r=>r.text()).then(t=>{process.exitCode=/^sendpulse_up\\{[^}]*\\} 1\$/m.test(t)?0:1},()=>{process.exitCode=1})"; then polled=1; break; fi
  sleep 0.2
done
[[ -n "$polled" ]] || { echo "no account reached sendpulse_up 1 within 20 s" >&2; tail -20 "$work/run.log" >&2; exit 1; }
[[ "$(ps -o uid= -p "$run_pid" | tr -d ' ')" == "$uid" ]] || { echo "worker is not running as $uid" >&2; exit 1; }
kill -TERM "$run_pid"
code=0; wait "$run_pid" || code=$?
[[ "$code" == 0 ]] || { echo "run exited $code on SIGTERM" >&2; cat "$work/run.log" >&2; exit 1; }
[[ -n "$keep" ]] && echo "$work/app"
echo "replay ok: built, installed production dependencies, ran as uid $uid, stopped cleanly" >&2
