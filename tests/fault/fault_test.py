#!/usr/bin/env python3
"""Runs a real brandmond against the fault-injecting fixture server for minutes.

Three healthy feeds (RSS, Atom, JSON Feed at 5, 10 and 15 s) share the daemon
with sources that hang, reset mid-body, answer 5xx storms or 429 with
Retry-After, present an untrusted certificate, name a host that does not
resolve, send bodies past max_body (announced, chunked, gzip bomb) or drip one
byte per second; three of the faults heal part-way through. Every few seconds
the driver asks `brandmonctl status --json` and reads /proc/PID. It checks:

  * the daemon stays up and every status call answers within --status-bound;
  * healthy sources are polled as often as their interval implies, never fail,
    and every item they served (up to a few seconds before the end) is stored;
  * failing sources record a clear error (HTTP status, curl error, size cap,
    stall, timeout), back off (30 s, then about 60 s; Retry-After is a floor)
    and recover once their endpoint heals, storing the items it then serves;
  * resident memory and open descriptors stay flat: the maximum over the last
    third of the run is at most a small margin above the first third's.

Exit status 0 when every check holds, 1 otherwise (the work directory, with
the config, daemon.log and the state database, is then kept and named).

The length is set by the daemon's backoff (30 s, then 60 s: not configurable):
the 5xx storm heals after its second failure, so its recovery comes at about
95 s, and the items it then serves must be stored 10 s later. With
--until-decided (what ctest passes) the run ends as soon as every check can be
decided that way, about 110 s, or at --duration at the latest.

Usage:
  tests/fault/fault_test.py --brandmond build/bin/brandmond --brandmonctl build/bin/brandmonctl
      [--duration 150] [--until-decided] [--sample 3] [--status-bound 5] [--work-dir DIR] [--keep]
BRANDMON_FAULT_SECONDS in the environment overrides --duration and runs that long.
"""

import argparse
import calendar
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_server  # noqa: E402

MIN_DURATION = 110  # the slowest recovery: fail at ~0 s and ~31 s, succeed at ~91-100 s


def parse_time(s):
    """RFC 3339 UTC ('...Z', optional fraction) to epoch seconds; None for null."""
    if not s:
        return None
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$", s)
    if not m:
        return None
    t = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    return t + (float(m.group(2)) if m.group(2) else 0.0)


def proc_sample(pid):
    """(RSS in KiB, open fds) of a live process."""
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir("/proc/%d/fd" % pid))


class Run:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.samples = []  # (elapsed, latency, rss_kib, fds)
        self.events = {}  # source -> [failure events]
        self.successes = {}  # source -> every last_success seen (epoch seconds)

    def fail(self, msg):
        self.failures.append(msg)

    def status(self, config):
        t0 = time.monotonic()
        try:
            p = subprocess.run([self.args.brandmonctl, "status", "--json", "--config", config],
                               capture_output=True, text=True, timeout=max(30, self.args.status_bound * 3))
        except subprocess.TimeoutExpired:
            return None, time.monotonic() - t0, "timed out"
        latency = time.monotonic() - t0
        if p.returncode != 0:
            return None, latency, "exit %d: %s" % (p.returncode, p.stderr.strip())
        try:
            return json.loads(p.stdout), latency, ""
        except ValueError as e:
            return None, latency, "unparsable reply: %s" % e

    def note_failures(self, status):
        """Records each new failure (a new last_error_at) with its scheduled retry."""
        for src in status.get("sources", []):
            ok_at = parse_time(src.get("last_success"))
            if ok_at is not None:
                self.successes.setdefault(src["name"], set()).add(ok_at)
            at = src.get("last_error_at")
            if not at:
                continue
            events = self.events.setdefault(src["name"], [])
            if events and events[-1]["at"] == at:
                continue
            events.append({"at": at, "at_s": parse_time(at), "next_s": parse_time(src.get("next_poll")),
                           "error": src.get("last_error", ""), "failures": src.get("consecutive_failures", 0)})


def daemon_env(sanitized):
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    if sanitized:
        # A small quarantine keeps ASan's own retention of freed blocks from
        # reading as growth of the daemon's memory.
        env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS", ""), "quarantine_size_mb=16") if x)
    return env


# Items served in the last seconds may still be in flight when the daemon
# stops; they are not held against it.
IN_FLIGHT = 10


def decided(run, server, intervals, expect):
    """Whether every check has what it needs: each failing source failed twice
    (two backoff delays), each healing one succeeded after it healed, and every
    source meant to store items was served some before the in-flight window."""
    start_wall = server.clock.start_wall
    before = server.elapsed() - IN_FLIGHT - 2
    for name, exp in expect.items():
        if exp["heal"] is None:
            if len(run.events.get(name, [])) < 2:
                return False
            continue
        if not any(t >= start_wall + exp["heal"] for t in run.successes.get(name, ())):
            return False
        if not server.served_ids(name, before=before):
            return False
    return all(server.served_ids(name, before=before) for name in intervals)


def check_healthy(run, server, status, intervals, duration, db, cutoff):
    by_name = {s["name"]: s for s in status.get("sources", [])}
    fmt = {"healthy_rss": "rss", "healthy_atom": "atom", "healthy_json": "json"}
    for name, interval in intervals.items():
        polls = len([t for t in server.requests("/feed/%s.%s" % (name, fmt[name])) if t <= duration])
        # Jitter adds up to 10%; the first poll comes at once.
        low = int(0.85 * duration / (interval * 1.1))
        high = int(duration / interval) + 2
        if not low <= polls <= high:
            run.fail("%s (every %ds): %d polls in %.0fs, expected %d..%d" % (name, interval, polls, duration, low, high))
        src = by_name.get(name, {})
        if src.get("consecutive_failures", 0) != 0 or src.get("last_error"):
            run.fail("%s failed: %s" % (name, src.get("last_error")))
        if name in run.events:
            run.fail("%s recorded errors during the run: %s" % (name, [e["error"] for e in run.events[name]]))
        check_stored(run, server, db, name, cutoff)
        print("  %-14s every %2ds: %3d polls (expected %d..%d), %d items stored" %
              (name, interval, polls, low, high, len(stored_ids(db, name))))


def text_of(v):
    return v.decode("utf-8") if isinstance(v, (bytes, bytearray)) else v


def stored_ids(db, name):
    return {text_of(r[0]) for r in db.execute(
        "SELECT mention_id FROM mentions WHERE source = ? AND brand = 'acme'", (name,))}


def check_stored(run, server, db, name, cutoff):
    served = server.served_ids(name, before=cutoff)
    if not served:
        run.fail("%s: the server never served it an item" % name)
        return
    seen = {text_of(r[0]) for r in db.execute("SELECT id FROM seen WHERE source = ?", (name,))}
    stored = stored_ids(db, name)
    for what, have in (("seen", seen), ("stored as acme mentions", stored)):
        missing = served - have
        if missing:
            run.fail("%s: %d of %d served items not %s, e.g. %s" %
                     (name, len(missing), len(served), what, sorted(missing)[:3]))


def check_faulty(run, server, status, expect, db, cutoff):
    by_name = {s["name"]: s for s in status.get("sources", [])}
    start_wall = server.clock.start_wall
    for name, exp in sorted(expect.items()):
        events = run.events.get(name, [])
        src = by_name.get(name, {})
        delays = [round(e["next_s"] - e["at_s"], 1) for e in events if e["next_s"] and e["at_s"]]
        errors = sorted({e["error"] for e in events})
        line = "  %-14s failures %d, retry delays %s s" % (name, len(events), delays)
        if not events:
            run.fail("%s: no failure recorded" % name)
            print(line)
            continue
        for e in events:
            if not re.search(exp["error"], e["error"]):
                run.fail("%s: error %r does not say %r" % (name, e["error"], exp["error"]))
        if exp["heal"] is None:
            if len(events) < 2:
                run.fail("%s: %d failures recorded, expected at least 2 (backoff 30s then 60s)" % (name, len(events)))
            if src.get("consecutive_failures", 0) < 2:
                run.fail("%s: consecutive_failures %s at the end" % (name, src.get("consecutive_failures")))
        else:
            last_success = parse_time(src.get("last_success"))
            if src.get("consecutive_failures") != 0 or last_success is None or \
                    last_success < start_wall + exp["heal"]:
                run.fail("%s: not recovered after its endpoint healed at %ds (failures %s, last success %s)" %
                         (name, exp["heal"], src.get("consecutive_failures"), src.get("last_success")))
            else:
                healed_at = start_wall + exp["heal"]
                first_ok = min(t for t in run.successes.get(name, {last_success}) if t >= healed_at)
                line += ", recovered %.0fs after its endpoint healed" % (first_ok - healed_at)
                check_stored(run, server, db, name, cutoff)
        # Backoff: 30 s (+10% jitter) after the first failure, about twice
        # that after the second; a Retry-After longer than that is a floor.
        floor = 29.0
        if exp["retry_after"]:
            floor = max(floor, exp["retry_after"] - 1.0)
        if delays and delays[0] < floor:
            run.fail("%s: first retry after %.1fs, expected at least %.0fs" % (name, delays[0], floor))
        if len(delays) >= 2 and delays[1] < 1.6 * delays[0]:
            run.fail("%s: retry delays do not grow: %s" % (name, delays))
        if exp["path"]:
            attempts = server.requests(exp["path"])
            gaps = [round(b - a, 1) for a, b in zip(attempts, attempts[1:])]
            line += "; server saw %d attempts, gaps %s" % (len(attempts), gaps[:4])
            if attempts and exp["heal"] is None and gaps and min(gaps) < floor:
                run.fail("%s: attempts only %.1fs apart while failing" % (name, min(gaps)))
        print(line)
        print("      last error: %s" % (errors[-1] if errors else "-"))


def check_flat(run, args):
    n = len(run.samples)
    if n < 6:
        run.fail("only %d samples" % n)
        return
    third = n // 3
    first, last = run.samples[:third], run.samples[-third:]
    rss_first = max(s[2] for s in first)
    rss_last = max(s[2] for s in last)
    fd_first = max(s[3] for s in first)
    fd_last = max(s[3] for s in last)
    rss_limit = rss_first * (1 + args.rss_margin) + 2048
    print("  rss KiB: first third max %d, last third max %d (limit %d); min %d, last %d" %
          (rss_first, rss_last, rss_limit, min(s[2] for s in run.samples), run.samples[-1][2]))
    print("  fds: first third max %d, last third max %d (limit %d)" % (fd_first, fd_last, fd_first + args.fd_margin))
    if rss_last > rss_limit:
        run.fail("resident memory grew: first third max %d KiB, last third max %d KiB" % (rss_first, rss_last))
    if fd_last > fd_first + args.fd_margin:
        run.fail("open descriptors grew: first third max %d, last third max %d" % (fd_first, fd_last))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--brandmond", required=True)
    ap.add_argument("--brandmonctl", required=True)
    ap.add_argument("--duration", type=float, default=150.0,
                    help="seconds to run (BRANDMON_FAULT_SECONDS, when set, overrides it)")
    ap.add_argument("--until-decided", action="store_true",
                    help="end once every check can be decided (--duration is then the limit)")
    ap.add_argument("--sample", type=float, default=3.0, help="seconds between status/proc samples")
    ap.add_argument("--status-bound", type=float, default=5.0, help="seconds a status call may take")
    ap.add_argument("--rss-margin", type=float, default=0.10, help="allowed RSS growth (fraction, plus 2 MiB)")
    ap.add_argument("--fd-margin", type=int, default=3)
    ap.add_argument("--sanitized", action="store_true", help="the daemon is an ASan build")
    ap.add_argument("--work-dir")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.brandmond = os.path.abspath(args.brandmond)
    args.brandmonctl = os.path.abspath(args.brandmonctl)
    if os.environ.get("BRANDMON_FAULT_SECONDS"):
        args.duration = float(os.environ["BRANDMON_FAULT_SECONDS"])
        args.until_decided = False
    if args.duration < MIN_DURATION:
        print("--duration must be at least %d s (the slowest recovery needs it)" % MIN_DURATION, file=sys.stderr)
        return 2

    work = args.work_dir or tempfile.mkdtemp(prefix="brandmon-fault-")
    os.makedirs(work, exist_ok=True)
    run = Run(args)
    server = fault_server.FaultServer(work).start()
    sources, intervals, expect = fault_server.fault_sources(server)
    config = os.path.join(work, "brandmon.json")
    with open(config, "w", encoding="utf-8") as f:
        json.dump(fault_server.daemon_config(work, sources, fetch=fault_server.FAULT_FETCH), f, indent=2)
    log = open(os.path.join(work, "daemon.log"), "w")
    daemon = subprocess.Popen([args.brandmond, "--config", config], stdout=log, stderr=subprocess.STDOUT,
                              env=daemon_env(args.sanitized), cwd=work)
    print("fault run: %d sources, %s%.0f s, work dir %s" %
          (len(sources), "until decided, at most " if args.until_decided else "", args.duration, work))
    status = None
    try:
        started = time.monotonic()
        worst = 0.0
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= args.duration:
                break
            if daemon.poll() is not None:
                run.fail("brandmond exited with %s after %.0f s" % (daemon.returncode, elapsed))
                break
            reply, latency, err = run.status(config)
            # The control socket appears once the daemon has started.
            if reply is None and elapsed < 10 and not run.samples:
                time.sleep(0.5)
                continue
            if reply is None:
                run.fail("status at %.0f s: %s" % (elapsed, err))
            else:
                status = reply
                run.note_failures(reply)
            worst = max(worst, latency)
            if latency > args.status_bound:
                run.fail("status at %.0f s took %.2f s (bound %.1f s)" % (elapsed, latency, args.status_bound))
            try:
                rss, fds = proc_sample(daemon.pid)
                run.samples.append((elapsed, latency, rss, fds))
            except OSError:
                pass
            if args.until_decided and reply is not None and len(run.samples) >= 6 and \
                    decided(run, server, intervals, expect):
                break
            time.sleep(max(0.0, args.sample - (time.monotonic() - started - elapsed)))
        duration = min(time.monotonic() - started, args.duration)
        cutoff = server.elapsed() - IN_FLIGHT
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                rc = daemon.wait(timeout=30)
                if rc != 0:
                    run.fail("brandmond exited %d on SIGTERM" % rc)
            except subprocess.TimeoutExpired:
                run.fail("brandmond did not stop within 30 s of SIGTERM")
                daemon.kill()
                daemon.wait()
        print("status: %d samples, slowest answer %.2f s (bound %.1f s)" % (len(run.samples), worst, args.status_bound))
        if status is None:
            run.fail("no status reply at all")
        else:
            db = sqlite3.connect("file:%s?mode=ro" % os.path.join(work, "state", "brandmon.db"), uri=True)
            print("healthy sources:")
            check_healthy(run, server, status, intervals, duration, db, cutoff)
            print("failing sources:")
            check_faulty(run, server, status, expect, db, cutoff)
            db.close()
        print("memory and descriptors:")
        check_flat(run, args)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        log.close()
        server.stop()

    if run.failures:
        print("\nFAILED (%d):" % len(run.failures))
        for f in run.failures:
            print("  - " + f)
        with open(os.path.join(work, "daemon.log")) as f:
            tail = f.read()[-4000:]
        print("daemon.log (tail):\n" + tail)
        print("work dir kept: " + work)
        return 1
    print("\n%.0f fault seconds survived: daemon up and answering, healthy sources on schedule, "
          "failing ones backed off and recovered, memory flat" % duration)
    if not args.keep and not args.work_dir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
