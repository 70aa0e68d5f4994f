#!/usr/bin/env bash
# System packages the tests need: headless Chromium (book rendering test), bubblewrap and
# util-linux (the grading sandbox), PostgreSQL (gradebook tests). Installed with apt when missing and we are root; otherwise we say so.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
# the sandbox drops to uid nobody inside its namespaces with util-linux's unshare/setpriv
{ command -v setpriv && command -v unshare; } >/dev/null 2>&1 || need+=(util-linux)
# the seccomp filter of each sandboxed child is built with libseccomp (loaded with ctypes)
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep 'libseccomp\.so\.2' >/dev/null || need+=(libseccomp2)
# the gradebook tests start a throwaway PostgreSQL server (initdb + pg_ctl in a temp dir)
{ command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl; } >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
    echo "missing system packages: ${need[*]} (install them with your package manager)" >&2
    exit 1
fi
