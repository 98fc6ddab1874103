#!/usr/bin/env bash
# The Debian package, built, checked and installed as an operator would:
#   1. builds it from the tree (cmake --preset deb, cpack) and runs lintian;
#   2. installs it with dpkg -i and runs the installed programs, with the source
#      tree hidden so that nothing falls back to it: brandmond --check-config on
#      the installed config, brandmonctl --version, score, presets; man -w; the
#      completions; the service user; the units enabled;
#   3. runs the postinst as if systemd were running (a private /run in a mount
#      namespace, systemctl and deb-systemd-invoke recording their calls): it
#      starts the units, and does not start brandmond when --check-config fails;
#   4. upgrades to a package of the same tree with a higher revision after the
#      conffile was edited and the service kept state: the edit and the state are
#      kept (no conffile prompt: dpkg reads no answer), the units are reloaded and
#      restarted;
#   5. purges it and checks that nothing it installed or created is left.
# Needs root (dpkg -i); exits 77, which ctest reports as skipped, without it.
# Usage: tests/package/deb_test.sh SOURCE_DIR WORK_DIR [BUILD_DIR]
#   BUILD_DIR: package this build, already built and configured for /usr with
#   the units in /lib/systemd/system (scripts/test.sh configures build/ so),
#   instead of building the programs again with the deb preset.
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
from_build=${3:-}

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
[ "$(id -u)" -eq 0 ] || skip "installs a package with dpkg -i: run as root"
command -v dpkg-deb >/dev/null || skip "no dpkg-deb: not a Debian system"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
if [ -n "$from_build" ]; then
  cache=$from_build/CMakeCache.txt
  grep -qx 'CMAKE_INSTALL_PREFIX:PATH=/usr' "$cache" && grep -qx 'BRANDMON_SYSTEMD_UNIT_DIR:PATH=/lib/systemd/system' "$cache" ||
    fail "$from_build is not configured for the package: -DCMAKE_INSTALL_PREFIX=/usr -DBRANDMON_SYSTEMD_UNIT_DIR=/lib/systemd/system"
fi
if dpkg-query -W -f='${Status}' brandmon 2>/dev/null | grep -q "ok installed"; then
  skip "a brandmon package is installed on this machine; this test would replace and purge it"
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
build=$work/build-deb
trap 'dpkg --purge brandmon >/dev/null 2>&1 || true' EXIT

# Builds the package of revision $1 into $work/brandmon-$1.deb.
build_package() {
  if [ -n "$from_build" ]; then
    rm -rf "$work/cpack-$1"
    (cd "$from_build" && cpack -G DEB -D CPACK_DEBIAN_PACKAGE_RELEASE="$1" -B "$work/cpack-$1" >/dev/null)
    mv "$work/cpack-$1"/brandmon_*-"$1"_*.deb "$work/brandmon-$1.deb"
    return
  fi
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$src" --preset deb -B "$build" -DBRANDMON_PACKAGE_REVISION="$1" "${launcher[@]}" >/dev/null
  nice cmake --build "$build" --parallel "$(nproc)" >/dev/null
  rm -f "$build"/brandmon_*.deb
  (cd "$build" && cpack -G DEB >/dev/null)
  mv "$build"/brandmon_*-"$1"_*.deb "$work/brandmon-$1.deb"
}

step "build the package (cpack$([ -n "$from_build" ] && echo " of $from_build" || echo ", cmake --preset deb"))"
build_package 1
deb=$work/brandmon-1.deb
dpkg-deb -f "$deb"

if command -v lintian >/dev/null; then
  step "lintian"
  lintian --info --fail-on error,warning "$deb" || fail "lintian reports errors or warnings"
else
  echo "lintian not installed: not run"
fi

step "contents"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's,^\./,/,')
for path in /usr/bin/brandmond /usr/bin/brandmonctl /usr/bin/brandmon-notify \
  /lib/systemd/system/brandmond.service /lib/systemd/system/brandmon-notify.service \
  /etc/brandmon/brandmon.json /etc/brandmon/notify.json \
  /usr/share/brandmon/sentiment/en/lexicon.tsv /usr/share/brandmon/presets/reddit_search.json \
  /usr/share/brandmon/demo.json /usr/share/doc/brandmon/copyright /usr/share/doc/brandmon/changelog.Debian.gz \
  /usr/share/doc/brandmon/README.md /usr/share/man/man8/brandmond.8.gz /usr/share/man/man1/brandmonctl.1.gz \
  /usr/share/man/man1/brandmon-notify.1.gz /usr/share/man/man5/brandmon.json.5.gz \
  /usr/share/man/man5/brandmon-notify.json.5.gz \
  /usr/share/bash-completion/completions/brandmonctl /usr/share/zsh/vendor-completions/_brandmonctl; do
  grep -qx "$path" <<<"$contents" || fail "$path is not in the package"
done
grep -q "/usr/lib/systemd" <<<"$contents" && fail "units belong in /lib/systemd/system on Debian 12"
dpkg-deb -f "$deb" Depends | grep -q "libcurl" || fail "Depends lacks the libraries (dpkg-shlibdeps): $(dpkg-deb -f "$deb" Depends)"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | sort | diff - <(printf '/etc/brandmon/brandmon.json\n/etc/brandmon/notify.json\n') \
  || fail "conffiles"

step "dpkg -i"
dpkg -i "$deb" </dev/null
getent passwd brandmon >/dev/null || fail "no service user brandmon"
[ -L /etc/systemd/system/multi-user.target.wants/brandmond.service ] || fail "brandmond.service is not enabled"
[ -L /etc/systemd/system/multi-user.target.wants/brandmon-notify.service ] || fail "brandmon-notify.service is not enabled"
grep -qx "ExecStart=/usr/bin/brandmond --config \${CONFIGURATION_DIRECTORY}/brandmon.json" \
  /lib/systemd/system/brandmond.service || fail "the unit does not run the installed brandmond"

step "the installed programs, with the source tree hidden"
unshare -m bash -euo pipefail -c '
  mount -t tmpfs tmpfs "$1"
  cd /
  brandmond --check-config --config /etc/brandmon/brandmon.json >/dev/null
  brandmon-notify --check-config --config /etc/brandmon/notify.json >/dev/null
  brandmonctl --version | grep -Ex "brandmonctl 0\.2\.0( \(g[0-9a-f]+(, dirty)?\))?"
  echo "I love it" | brandmonctl score | grep -q "\"label\":\"positive\""
  brandmonctl completion --values presets | grep -qx reddit_search
  [ "$(man -w brandmond)" = /usr/share/man/man8/brandmond.8.gz ]
  [ "$(man -w brandmon.json)" = /usr/share/man/man5/brandmon.json.5.gz ]
  [ "$(man -w brandmonctl)" = /usr/share/man/man1/brandmonctl.1.gz ]
  man brandmond | grep -q "EXIT STATUS"
  bash --norc -c ". /usr/share/bash-completion/completions/brandmonctl && complete -p brandmonctl" |
    grep -qx "complete -F _brandmonctl brandmonctl"
' hide "$src" || fail "an installed program failed (above)"
echo ok

# Runs the installed postinst with `configure $1` as under systemd: a private
# /run holding /run/systemd/system, and systemctl and deb-systemd-invoke
# replaced by stubs that append their arguments to $work/calls. $2: a config
# to put in place of /etc/brandmon/brandmon.json, or "".
postinst_under_systemd() {
  unshare -m bash -euo pipefail -c '
    mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system /run/stubs
    for stub in systemctl deb-systemd-invoke; do
      printf "#!/bin/sh\necho \"%s \$*\" >> %s\n" "$stub" "$1/calls" > /run/stubs/$stub
      chmod 755 /run/stubs/$stub
    done
    [ -z "$3" ] || mount --bind "$3" /etc/brandmon/brandmon.json
    PATH=/run/stubs:$PATH DPKG_MAINTSCRIPT_PACKAGE=brandmon DPKG_MAINTSCRIPT_NAME=postinst \
      /var/lib/dpkg/info/brandmon.postinst configure $2
  ' postinst "$work" "$1" "$2"
}

step "postinst under systemd: starts the units, not on an invalid config"
rm -f "$work/calls"
postinst_under_systemd "" ""
grep -qx "systemctl --system daemon-reload" "$work/calls" || fail "no daemon-reload: $(cat "$work/calls")"
grep -qx "deb-systemd-invoke start brandmond.service" "$work/calls" || fail "brandmond not started: $(cat "$work/calls")"
grep -qx "deb-systemd-invoke start brandmon-notify.service" "$work/calls" || fail "brandmon-notify not started"
echo '{"brandz": []}' >"$work/invalid.json"
rm -f "$work/calls"
postinst_under_systemd "" "$work/invalid.json" 2>"$work/postinst.err"
grep -q "brandmond" "$work/calls" && fail "brandmond started with an invalid config: $(cat "$work/calls")"
grep -qx "deb-systemd-invoke start brandmon-notify.service" "$work/calls" || fail "brandmon-notify not started"
grep -q "brandmon.json is invalid" "$work/postinst.err" || fail "no word of the invalid config: $(cat "$work/postinst.err")"
echo ok

step "upgrade to revision 2 after an edit of the conffile, with state kept"
sed -i 's/"name": "example"/"name": "edited"/' /etc/brandmon/brandmon.json
edited=$(cat /etc/brandmon/brandmon.json)
grep -q '"edited"' <<<"$edited" || fail "the edit did not apply"
mkdir -p /var/lib/private/brandmon
echo state >/var/lib/private/brandmon/brandmon.db
chown -R brandmon:brandmon /var/lib/private/brandmon
build_package 2
rm -f "$work/calls"
unshare -m bash -euo pipefail -c '
  mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system /run/stubs
  for stub in systemctl deb-systemd-invoke; do
    printf "#!/bin/sh\necho \"%s \$*\" >> %s\n" "$stub" "$1/calls" > /run/stubs/$stub
    chmod 755 /run/stubs/$stub
  done
  PATH=/run/stubs:$PATH dpkg -i "$2" </dev/null
' upgrade "$work" "$work/brandmon-2.deb"
[ "$(dpkg-query -W -f='${Version}' brandmon)" = "0.2.0-2" ] || fail "not upgraded"
[ "$(cat /etc/brandmon/brandmon.json)" = "$edited" ] || fail "the edited conffile was replaced"
[ "$(cat /var/lib/private/brandmon/brandmon.db)" = state ] || fail "the service's state was lost"
grep -qx "systemctl --system daemon-reload" "$work/calls" || fail "units not reloaded: $(cat "$work/calls")"
grep -qx "deb-systemd-invoke restart brandmond.service" "$work/calls" || fail "brandmond not restarted"
echo ok

step "purge"
installed=$(dpkg -L brandmon | grep -v '^/\.$')
dpkg --purge brandmon
for path in $installed; do
  if [ -d "$path" ] && [ -n "$(ls -A "$path")" ]; then
    continue  # a directory other packages use too (/usr/bin)
  fi
  if [ -e "$path" ] || [ -L "$path" ]; then
    fail "$path is left after purge"
  fi
done
for path in /etc/brandmon /usr/share/brandmon /usr/share/doc/brandmon /var/lib/private/brandmon /var/lib/brandmon \
  /lib/systemd/system/brandmond.service /etc/systemd/system/multi-user.target.wants/brandmond.service \
  /etc/systemd/system/multi-user.target.wants/brandmon-notify.service \
  /var/lib/systemd/deb-systemd-helper-enabled/brandmond.service.dsh-also; do
  if [ -e "$path" ] || [ -L "$path" ]; then
    fail "$path is left after purge"
  fi
done
echo "ok (the system user brandmon stays, as Debian keeps system users)"
