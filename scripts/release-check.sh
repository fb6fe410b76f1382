#!/usr/bin/env bash
# The release flow rehearsed, nothing published (CONTRIBUTING.md, "Releasing"): every public package packs with
# its README and LICENSE (npm pack --dry-run), pnpm's publish runs as a dry run, and in a throwaway copy of the
# checkout a changeset is applied by `changeset version` (versions bumped together, changelogs written).
# Run by the test command after the build; runnable alone after a build.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
[ -n "${PNPM:-}" ] || source scripts/bootstrap.sh >/dev/null

for pkg in packages/*/; do
  node -e "process.exit(require('./${pkg}package.json').private ? 1 : 0)" || continue
  files="$(cd "$pkg" && npm pack --dry-run --json 2>/dev/null | node -e "console.log(JSON.parse(require('fs').readFileSync(0, 'utf8'))[0].files.map((f) => f.path).join('\n'))")"
  for want in README.md LICENSE package.json; do
    grep -qx "$want" <<<"$files" || { echo "release check: ${pkg} packs without ${want}" >&2; exit 1; }
  done
  echo "pack ok: $(node -p "require('./${pkg}package.json').name") ($(wc -l <<<"$files") files, README.md and LICENSE included)"
done
# --force: rehearse every package even when its version is on the registry already (pnpm skips those otherwise).
publish_log="$(mktemp)"
"$PNPM" -r --filter './packages/*' publish --dry-run --no-git-checks --force >"$publish_log" 2>&1 || { cat "$publish_log" >&2; rm -f "$publish_log"; echo "release check: pnpm publish --dry-run failed" >&2; exit 1; }
rm -f "$publish_log"
echo "publish dry run ok"

copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
git ls-files -co --exclude-standard | while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done | tar -cf - -T - | tar -xf - -C "$copy"
ln -s "$root/node_modules" "$copy/node_modules"
cat > "$copy/.changeset/release-rehearsal.md" <<'CHANGESET'
---
"@ssr-socket/core": minor
---

Release rehearsal (never committed).
CHANGESET
before="$(node -p "require('$copy/packages/vue/package.json').version")"
(cd "$copy" && node_modules/.bin/changeset version >/dev/null 2>&1)
grep -q "Release rehearsal" "$copy/packages/core/CHANGELOG.md" || { echo "release check: the changeset's text is not in packages/core/CHANGELOG.md" >&2; exit 1; }
for pkg in core vue nuxt-module; do
  after="$(node -p "require('$copy/packages/$pkg/package.json').version")"
  [ "$after" != "$before" ] || { echo "release check: changeset version did not bump packages/$pkg ($before)" >&2; exit 1; }
  grep -q "^## $after" "$copy/packages/$pkg/CHANGELOG.md" || { echo "release check: no changelog entry for $after in packages/$pkg" >&2; exit 1; }
done
echo "changeset version ok: $before -> $(node -p "require('$copy/packages/core/package.json').version") for core, vue and nuxt (fixed group), changelogs written"
