#!/usr/bin/env python3
"""Crash harness for brandmon-notify: at least once, across SIGKILLs.

Starts a real brandmond on a `file` source that a producer keeps appending
negative mentions to (each one journals a negative_mention alert), and a
real brandmon-notify that delivers every alert to a webhook on loopback
served by this script. While the alerts stream, brandmon-notify is killed
with SIGKILL at seeded random moments and started again, and brandmond is
restarted twice (once SIGKILL, once SIGTERM). After each kill the harness
reads the cursor brandmon-notify saved (notify.db). At the end it waits for
the webhook to hold the whole journal, stops both programs with SIGTERM and
checks:

  * every seq of brandmond's journal reached the webhook, with the alert
    exactly as journaled, and nothing else did;
  * within one run of brandmon-notify, seqs arrive in increasing order and
    none twice;
  * a seq delivered again was delivered before by an earlier run, which was
    killed; the run that repeats it started from a saved cursor below it
    (the webhook accepted it, the kill came before the cursor was saved);
    the repeat carries the first delivery's Idempotency-Key; at most one
    repeat per kill.

The repeats are counted and printed. Exit status 0 when every check holds,
1 otherwise (the work directory is then kept and named).

Usage:
  tests/crash/notify_crash_harness.py --brandmond build/bin/brandmond
      --notify build/bin/brandmon-notify [--seed 1] [--alerts 1000]
      [--kills 20] [--daemon-restarts 2] [--work-dir DIR] [--keep]
"""

import argparse
import http.server
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from started import wait_started

THRESHOLD = -0.3
TEXTS = [
    "I hate Acme, terrible awful product, the worst purchase ever",
    "Acme support is horrible and rude, a total disaster, never again",
    "Awful Acme kettle broke after one day, worst garbage I ever bought",
]


class Sink(http.server.ThreadingHTTPServer):
    """The webhook: records every delivery with the run of brandmon-notify
    that was alive when it arrived, and answers 200."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.lock = threading.Lock()
        self.run = 0
        self.deliveries = []  # (run, key, [alert dicts])
        self.errors = []

    def url(self):
        return "http://127.0.0.1:%d/hook" % self.server_address[1]

    def seqs(self):
        with self.lock:
            return {a.get("seq") for _, _, alerts in self.deliveries for a in alerts}


class SinkHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Idempotency-Key", "")
        try:
            alerts = json.loads(body)["alerts"]
        except (ValueError, KeyError, TypeError) as e:
            alerts = None
            with self.server.lock:
                self.server.errors.append("unreadable delivery %r: %s" % (key, e))
        if alerts is not None:
            with self.server.lock:
                self.server.deliveries.append((self.server.run, key, alerts))
        try:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            pass  # brandmon-notify was killed while it waited for the answer

    def log_message(self, *args):
        pass


class Producer(threading.Thread):
    """Appends `total` negative mentions over `seconds`, in small batches."""

    def __init__(self, rng, path, total, seconds):
        super().__init__(name="producer", daemon=True)
        self.rng, self.path, self.total, self.seconds = rng, path, total, seconds
        self.written = 0
        self.error = None

    def run(self):
        try:
            start = time.monotonic()
            with open(self.path, "a", encoding="utf-8") as f:
                while self.written < self.total:
                    batch = min(self.rng.randint(1, 12), self.total - self.written)
                    for _ in range(batch):
                        self.written += 1
                        n = self.written
                        f.write(json.dumps({"id": "m%05d" % n, "channel": "x", "author": "@u%d" % (n % 97),
                                            "url": "https://x.example/m/%d" % n,
                                            "text": "%s (#%d)" % (self.rng.choice(TEXTS), n)}) + "\n")
                    f.flush()
                    due = start + self.seconds * self.written / self.total
                    time.sleep(max(0.0, due - time.monotonic()))
        except Exception as e:  # reported by the main thread
            self.error = e


def write_configs(work, feed, sink_url):
    run = os.path.join(work, "run")
    daemon = {
        "daemon": {"state_dir": os.path.join(work, "state"), "runtime_dir": run, "log_level": "warn",
                   "shutdown_timeout": "10s"},
        "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"],
                    "heartbeat_interval": "1s"},
        "store": {"file": os.path.join(work, "state", "brandmon.db"), "synchronous": "normal"},
        "rules": {"negative_mention": {"threshold": THRESHOLD, "cooldown": "0s"}},
        "sources": [{"name": "feed", "type": "file", "path": feed, "channel": "x", "interval": "1s"}],
        "brands": [{"name": "acme", "query": "acme"}],
    }
    notify = {
        "subscribe": {"endpoint": "ipc://%s/alerts.sock" % run, "catchup_endpoint": "ipc://%s/catchup.sock" % run,
                      "from_journal_start": True},
        "state_dir": os.path.join(work, "nstate"),
        "runtime_dir": os.path.join(work, "nrun"),
        "log_level": "warn",
        "delivery": {"retry_initial": "50ms", "retry_max": "500ms"},
        "receivers": [{"name": "hooks", "type": "webhook", "url": sink_url, "timeout": "5s"}],
        "routes": [{"receivers": ["hooks"]}],
    }
    paths = []
    for name, config in (("brandmon.json", daemon), ("notify.json", notify)):
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
        paths.append(path)
    return paths


def start(argv, log, work):
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)


def stop(proc, sig, timeout=30):
    """Sends `sig` and waits; returns the exit status, or None when it had to be killed."""
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None



def query(db_path, sql, default=None):
    if not os.path.exists(db_path):
        return default
    db = sqlite3.connect(db_path, timeout=10)
    try:
        row = db.execute(sql).fetchone()
        return row[0] if row and row[0] is not None else default
    except sqlite3.OperationalError:
        return default
    finally:
        db.close()


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class Harness:
    def __init__(self, args):
        self.args = args
        master = random.Random(args.seed)
        self.kill_rng = random.Random(master.getrandbits(64))
        self.producer_rng = random.Random(master.getrandbits(64))
        self.work = args.work_dir or tempfile.mkdtemp(prefix="brandmon-notify-crash-")
        os.makedirs(self.work, exist_ok=True)
        self.feed = os.path.join(self.work, "feed.jsonl")
        open(self.feed, "a").close()
        self.db = os.path.join(self.work, "state", "brandmon.db")
        self.notify_db = os.path.join(self.work, "nstate", "notify.db")
        self.sink = Sink()
        self.daemon_config, self.notify_config = write_configs(self.work, self.feed, self.sink.url())
        self.log = open(os.path.join(self.work, "programs.log"), "ab")
        self.failures = []
        self.cursor_after_kill = {}  # run -> cursor notify.db held after that run was killed
        self.daemon = None

    def note(self, text):
        self.log.write(("=== %s\n" % text).encode())
        self.log.flush()

    def start_daemon(self):
        self.daemon = start([self.args.brandmond, "--config", self.daemon_config], self.log, self.work)

    def restart_daemon(self, n):
        sig = signal.SIGKILL if n % 2 == 1 else signal.SIGTERM
        self.note("brandmond restart %d (%s)" % (n, sig.name))
        if sig == signal.SIGTERM and not wait_started(self.daemon, os.path.join(self.work, "run", "control.sock")):
            self.failures.append("brandmond did not start within 60s before restart %d" % n)
        code = stop(self.daemon, sig)
        if sig == signal.SIGTERM and code != 0:
            self.failures.append("brandmond exited with %r on SIGTERM before restart %d" % (code, n))
        self.start_daemon()

    def start_notify(self, run):
        with self.sink.lock:
            self.sink.run = run
        self.note("brandmon-notify run %d" % run)
        return start([self.args.notify, "--config", self.notify_config], self.log, self.work)

    def kill_notify(self, proc, run):
        if proc.poll() is not None:
            self.failures.append("brandmon-notify run %d exited by itself with %d" % (run, proc.returncode))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Deliveries already on their way reach the sink as this run's.
        time.sleep(0.1)
        self.cursor_after_kill[run] = query(self.notify_db, "SELECT cursor FROM receivers WHERE name = 'hooks'", 0)

    def crash_loop(self, producer):
        restarts_at = {round((i + 1) * self.args.kills / (self.args.daemon_restarts + 1))
                       for i in range(self.args.daemon_restarts)}
        restarts = 0
        for run in range(1, self.args.kills + 1):
            delay = self.kill_rng.uniform(self.args.min_kill_ms, self.args.max_kill_ms) / 1000.0
            proc = self.start_notify(run)
            if run in restarts_at:
                time.sleep(delay / 2)
                restarts += 1
                self.restart_daemon(restarts)
                time.sleep(delay / 2)
            else:
                time.sleep(delay)
            self.kill_notify(proc, run)
        self.restarts = restarts
        producer.join()
        if producer.error:
            self.failures.append("producer failed: %r" % producer.error)

    def drain(self, run):
        """Starts brandmon-notify once more and waits until the webhook holds
        the whole journal. Returns the journal's last seq."""
        # Every line ingested (the seen row and its alert commit together).
        ingested = wait_for(lambda: query(self.db, "SELECT count(*) FROM seen", 0) >= self.args.alerts, 60)
        if not ingested:
            self.failures.append("brandmond ingested %s of %d mentions" %
                                 (query(self.db, "SELECT count(*) FROM seen", 0), self.args.alerts))
        last = query(self.db, "SELECT max(seq) FROM alerts", 0)
        proc = self.start_notify(run)
        if not wait_for(lambda: set(range(1, last + 1)) <= self.sink.seqs(), 60):
            missing = sorted(set(range(1, last + 1)) - self.sink.seqs())
            self.failures.append("%d seqs never reached the webhook, e.g. %s" % (len(missing), missing[:10]))
        time.sleep(0.5)  # anything sent twice now would show
        # The journal may have reached the webhook before this run: it must
        # still have started before it is stopped.
        if not wait_started(proc, os.path.join(self.work, "nrun", "control.sock")):
            self.failures.append("brandmon-notify did not start within 60s")
        code = stop(proc, signal.SIGTERM)
        if code != 0:
            self.failures.append("brandmon-notify exited with %r on SIGTERM" % code)
        code = stop(self.daemon, signal.SIGTERM)
        if code != 0:
            self.failures.append("brandmond exited with %r on SIGTERM" % code)
        return last

    def journal(self):
        db = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        rows = {seq: json.loads(payload) for seq, payload in db.execute("SELECT seq, payload FROM alerts")}
        db.close()
        return rows

    def verify(self, last):
        journal = self.journal()
        if len(journal) < self.args.alerts:
            self.failures.append("the journal holds %d alerts, fewer than the %d mentions produced" %
                                 (len(journal), self.args.alerts))
        if sorted(journal) != list(range(1, last + 1)):
            self.failures.append("the journal's seqs are not 1..%d" % last)
        with self.sink.lock:
            deliveries = list(self.sink.deliveries)
            self.failures.extend(self.sink.errors)
        first = {}  # seq -> (run, key)
        last_in_run = {}
        repeats = []
        for run, key, alerts in deliveries:
            for a in alerts:
                seq = a.get("seq")
                if journal.get(seq) != a:
                    self.failures.append("seq %r arrived unlike its journal row" % seq)
                if seq <= last_in_run.get(run, 0):
                    self.failures.append("run %d delivered seq %d after seq %d" % (run, seq, last_in_run[run]))
                last_in_run[run] = max(last_in_run.get(run, 0), seq)
                if seq not in first:
                    first[seq] = (run, key)
                    continue
                repeats.append(seq)
                self.check_repeat(seq, first[seq], run, key)
        missing = sorted(set(journal) - set(first))
        if missing:
            self.failures.append("%d journaled seqs never delivered, e.g. %s" % (len(missing), missing[:10]))
        if len(repeats) > self.args.kills:
            self.failures.append("%d repeats for %d kills" % (len(repeats), self.args.kills))
        return repeats, len(deliveries)

    def check_repeat(self, seq, first, run, key):
        first_run, first_key = first
        started_from = self.cursor_after_kill.get(run - 1, 0)
        if run <= first_run:
            self.failures.append("seq %d delivered twice by run %d" % (seq, run))
        elif first_run not in self.cursor_after_kill:
            self.failures.append("seq %d repeated, but run %d that first sent it was not killed" % (seq, first_run))
        elif started_from >= seq:
            self.failures.append("seq %d repeated by run %d, which started from the saved cursor %d" %
                                 (seq, run, started_from))
        if key != first_key:
            self.failures.append("seq %d repeated with key %r, first sent with %r" % (seq, key, first_key))

    def run(self):
        threading.Thread(target=self.sink.serve_forever, name="sink", daemon=True).start()
        started = time.monotonic()
        producer = Producer(self.producer_rng, self.feed, self.args.alerts, self.args.produce_seconds)
        self.start_daemon()
        producer.start()
        self.crash_loop(producer)
        last = self.drain(self.args.kills + 1)
        self.sink.shutdown()
        repeats, deliveries = self.verify(last)
        self.log.close()
        print("notify crash harness: seed %d, %d alerts journaled, %d SIGKILLs of brandmon-notify, %d restarts of "
              "brandmond in %.1fs; %d deliveries; %d repeats (accepted, then killed before the cursor was saved): %s"
              % (self.args.seed, last, self.args.kills, self.restarts, time.monotonic() - started, deliveries,
                 len(repeats), sorted(repeats)), flush=True)
        if self.failures:
            for f in self.failures[:50]:
                print("FAIL: " + f, file=sys.stderr)
            print("work dir kept: %s (replay: --seed %d)" % (self.work, self.args.seed), file=sys.stderr)
            return 1
        print("every seq delivered, in order within each run; every repeat after a kill, past the saved cursor, "
              "with its first key", flush=True)
        if not self.args.keep and not self.args.work_dir:
            shutil.rmtree(self.work, ignore_errors=True)
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--brandmond", required=True, help="path of the brandmond binary")
    p.add_argument("--notify", required=True, help="path of the brandmon-notify binary")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--alerts", type=int, default=1000, help="negative mentions produced, one alert each")
    p.add_argument("--produce-seconds", type=float, default=25, help="over how long they are produced")
    p.add_argument("--kills", type=int, default=20, help="SIGKILLs of brandmon-notify")
    p.add_argument("--daemon-restarts", type=int, default=2, help="restarts of brandmond (SIGKILL, SIGTERM, ...)")
    p.add_argument("--min-kill-ms", type=float, default=300)
    p.add_argument("--max-kill-ms", type=float, default=1800)
    p.add_argument("--work-dir", help="use this directory (kept) instead of a temporary one")
    p.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    args = p.parse_args()
    if args.kills < 1 or args.alerts < 1 or args.min_kill_ms < 0 or args.max_kill_ms < args.min_kill_ms:
        p.error("need --kills >= 1, --alerts >= 1 and 0 <= --min-kill-ms <= --max-kill-ms")
    if args.daemon_restarts >= args.kills:
        p.error("need --daemon-restarts < --kills (brandmond restarts while brandmon-notify runs)")
    for name in ("brandmond", "notify"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
        if not os.access(getattr(args, name), os.X_OK):
            p.error("not an executable: " + getattr(args, name))
    return Harness(args).run()


if __name__ == "__main__":
    sys.exit(main())
