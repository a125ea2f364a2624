#!/usr/bin/env bash
# The packages as a new user gets them: packs every packable project under src/ with plain `dotnet pack`, checks each
# package (its own readme, a .snupkg whose PDB maps sources to GitHub, no path of this machine in the binaries), then
# creates a brand-new `dotnet new web` app outside the repository, installs the packages from the packed folder (the
# rest from the machine's usual NuGet source), writes Program.cs as UserKeyedJwt.AspNetCore's README shows it, builds and
# runs it on loopback, and checks that a registered user's token gets 200 from an authenticated endpoint, and no token 401.
# Exits 0 when everything holds; prints "pack-smoke: OK" or "pack-smoke: FAILED: <what>".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d "${TMPDIR:-/tmp}/ukjwt-pack-smoke.XXXXXX")
app_pid=
# A unique prerelease version, so that the app never restores an earlier run's package from the global packages folder.
suffix="smoke.$(date -u +%Y%m%d%H%M%S).$$"
version=
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  rm -rf "$work"
  if [[ -n $version ]]; then
    local packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
    for id in "${ids[@]}"; do
      rm -rf "$packages/${id,,}/$version" "$root"/src/*/obj/*/"$id.$version."*nuspec
      rmdir "$packages/${id,,}" 2>/dev/null || true
    done
  fi
}
ids=()
trap cleanup EXIT
fail() { echo "pack-smoke: FAILED: $*" >&2; exit 1; }
step() { echo "pack-smoke: $* ($SECONDS s)"; }

# 1. Pack every project under src/ in one build; projects with IsPackable false are skipped by Pack itself.
mapfile -t projects < <(find src -name '*.csproj' | sort)
[[ ${#projects[@]} -gt 0 ]] || fail "no project under src/"
dotnet new sln -n pack -o "$work" --format sln >/dev/null
dotnet sln "$work/pack.sln" add "${projects[@]/#/$root/}" >/dev/null
step "packing ${#projects[@]} projects"
dotnet pack "$work/pack.sln" -o "$work/feed" -p:VersionSuffix="$suffix" -nologo -v:q >"$work/pack.log" 2>&1 \
  || { tail -40 "$work/pack.log"; fail "dotnet pack"; }

# 2. Check each package.
python3 - "$root" "$work/feed" >"$work/ids" <<'PY' || fail "package checks (above)"
import json, pathlib, re, sys, zipfile

root, feed = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
problems, ids = [], []
own = {p.stem for p in root.glob("src/*/*.csproj")}
# Any path of this machine; third-party assemblies of a tool package are only checked for the repository's own path.
machine = [str(root).encode(), b"/tmp/", b"/work/", str(pathlib.Path.home()).encode() + b"/"]
machine += [m.decode().encode("utf-16-le") for m in machine]
repository = [str(root).encode(), str(root).encode("utf-16-le")]

for nupkg in sorted(feed.glob("*.nupkg")):
    with zipfile.ZipFile(nupkg) as z:
        nuspec = z.read(next(n for n in z.namelist() if n.endswith(".nuspec"))).decode()
        pid = re.search(r"<id>([^<]+)</id>", nuspec).group(1)
        version = re.search(r"<version>([^<]+)</version>", nuspec).group(1)
        kind = "tool" if re.search(r'<packageType name="DotnetTool"', nuspec) else "library"
        ids.append((pid, version, kind))
        # Pack leaves its nuspec in the project's obj folder: that names the project the package came from.
        projects = [p.parents[2] for p in root.glob(f"src/*/obj/*/{pid}.{version}.nuspec")]
        readme = re.search(r"<readme>([^<]+)</readme>", nuspec)
        if len(projects) != 1:
            problems.append(f"{pid}: cannot tell which project under src/ it was packed from")
        elif not readme:
            problems.append(f"{pid}: no readme in the nuspec")
        elif z.read(readme.group(1)) != (projects[0] / "README.md").read_bytes():
            problems.append(f"{pid}: the package readme is not {projects[0].relative_to(root)}/README.md")
        if 'type="git"' not in nuspec or "commit=" not in nuspec:
            problems.append(f"{pid}: the nuspec has no git repository with its commit")
        for name in (n for n in z.namelist() if n.endswith(".dll")):
            data = z.read(name)
            for path in (machine if pathlib.PurePosixPath(name).stem in own else repository):
                if path in data:
                    problems.append(f"{pid}: {name} contains the local path {path!r}")
    snupkg = nupkg.with_suffix(".snupkg")
    if not snupkg.exists():
        problems.append(f"{pid}: no {snupkg.name}")
        continue
    with zipfile.ZipFile(snupkg) as z:
        pdbs = [n for n in z.namelist() if n.endswith(".pdb")]
        if not pdbs:
            problems.append(f"{pid}: {snupkg.name} holds no PDB")
        for name in pdbs:
            data = z.read(name)
            # Portable PDBs keep the SourceLink document as plain JSON in a custom debug information blob.
            match = re.search(rb'\{"documents":\{[^}]*\}\}', data)
            if not match:
                problems.append(f"{pid}: {name} has no SourceLink")
            elif not any(v.startswith("https://raw.githubusercontent.com/userkeyedjwt/userkeyedjwt/")
                         for v in json.loads(match.group(0))["documents"].values()):
                problems.append(f"{pid}: {name} has SourceLink {match.group(0).decode()}, not to the GitHub repository")
            for path in machine:
                if path in data:
                    problems.append(f"{pid}: {name} contains the local path {path!r}")

for problem in problems:
    print(problem, file=sys.stderr)
for pid, version, kind in ids:
    print(pid, version, kind)
sys.exit(1 if problems or not ids else 0)
PY
libraries=()
while read -r id v kind; do
  ids+=("$id"); version=$v
  [[ $kind == library ]] && libraries+=("$id")
done <"$work/ids"
step "packed ${ids[*]} $version; readmes, symbols, SourceLink and paths checked"
[[ " ${ids[*]} " == *" UserKeyedJwt.AspNetCore "* ]] || fail "UserKeyedJwt.AspNetCore was not packed"

# 3. A brand-new app outside the repository (no Directory.Build.props, no central versions), with the packed folder as a
# source beside the machine's usual ones, which this nuget.config inherits.
app=$work/app
dotnet new web -n FreshApp -o "$app" --no-restore >/dev/null
cat >"$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="packed" value="$work/feed" />
  </packageSources>
</configuration>
XML
for id in "${libraries[@]}"; do
  dotnet add "$app/FreshApp.csproj" package "$id" --version "$version" --no-restore >/dev/null
done
# What the AspNetCore README's Install section adds, at the versions the library builds against.
for id in Microsoft.AspNetCore.Identity.EntityFrameworkCore Microsoft.EntityFrameworkCore.Sqlite; do
  pinned=$(grep -oP "Include=\"$id\" Version=\"\K[^\"]+" Directory.Packages.props)
  dotnet add "$app/FreshApp.csproj" package "$id" --version "$pinned" --no-restore >/dev/null
done

# Program.cs and appsettings are the README's blocks, as written there.
python3 - src/UserKeyedJwt.AspNetCore/README.md "$app" <<'PY'
import json, pathlib, re, sys
readme, app = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2])
section = readme[readme.index("## Minimal example"):]
code = re.search(r"```csharp\n(.*?)```", section, re.S).group(1)
settings = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
(app / "Program.cs").write_text(code)
appsettings = json.loads((app / "appsettings.json").read_text())
appsettings.update(settings)
(app / "appsettings.json").write_text(json.dumps(appsettings, indent=2))
PY
step "building the app"
dotnet build "$app/FreshApp.csproj" -c Release -nologo -v:q >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "the app does not build"; }

# 4. Run it on a free loopback port, with the server secret from the environment as the README's user secrets would give it.
secret=$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
(
  cd "$app"
  export ASPNETCORE_ENVIRONMENT=Production UserKeyedJwt__ServerSecrets__0__Id=smoke UserKeyedJwt__ServerSecrets__0__Secret=$secret
  exec dotnet bin/Release/net10.0/FreshApp.dll --urls http://127.0.0.1:0 >"$work/app.log" 2>&1
) &
app_pid=$!
url=
for _ in $(seq 1 120); do
  url=$(grep -oP 'Now listening on: \Khttp://127\.0\.0\.1:[0-9]+' "$work/app.log" 2>/dev/null | head -1) && [[ -n $url ]] && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log"; fail "the app stopped at startup"; }
  sleep 0.5
done
[[ -n $url ]] || { cat "$work/app.log"; fail "the app did not start listening"; }
step "the app listens on $url"

credentials='{"email":"ada@example.com","password":"Analytical-Engine-1843"}'
status=$(curl -s -o "$work/register" -w '%{http_code}' -X POST "$url/identity/register" -H 'Content-Type: application/json' -d "$credentials")
[[ $status == 200 ]] || fail "register answered $status: $(cat "$work/register")"
status=$(curl -s -o "$work/login" -w '%{http_code}' -X POST "$url/identity/login" -H 'Content-Type: application/json' -d "$credentials")
[[ $status == 200 ]] || fail "login answered $status"
token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["accessToken"])' "$work/login")
status=$(curl -s -o "$work/hello" -w '%{http_code}' "$url/hello" -H "Authorization: Bearer $token")
[[ $status == 200 ]] || fail "GET /hello with the token answered $status"
grep -q '^Hello, .\+!$' "$work/hello" || fail "GET /hello answered '$(cat "$work/hello")'"
status=$(curl -s -o /dev/null -w '%{http_code}' "$url/hello")
[[ $status == 401 ]] || fail "GET /hello without a token answered $status, not 401"
# A different first character of the signature: the tag no longer matches.
signature=${token##*.}
[[ ${signature:0:1} == A ]] && other=B || other=A
status=$(curl -s -o /dev/null -w '%{http_code}' "$url/hello" -H "Authorization: Bearer ${token%.*}.$other${signature:1}")
[[ $status == 401 ]] || fail "GET /hello with a tampered token answered $status, not 401"

step "200 with the token, 401 without it and with a tampered one"
echo "pack-smoke: OK in ${SECONDS}s"
