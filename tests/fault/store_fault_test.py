#!/usr/bin/env python3
"""A real brandmond whose database another connection locks past the busy timeout.

A producer appends JSON Lines mentions to a `file` source (polled every
second) for the whole run. Twice a second sqlite3 connection takes the write
lock (`BEGIN IMMEDIATE`) and holds it longer than the daemon's 5 s busy
timeout, as a backup or an operator's `sqlite3` session would:

  1. while the daemon runs: `brandmonctl status --json` must report the store
     "failing" with the error, the write errors and the age of the waiting
     write; the human `status` and the sd_notify STATUS= line must say so;
     after the lock is released the store must be "ok" again;
  2. across a restart: the daemon is stopped while its write fails (it gives
     up on what waits), the lock is released and the daemon started again.

At the end, read from the database: every produced item is seen and stored
exactly once, alert seqs run 1..N with no key twice, every complaint has its
one alert, and each seq was handed to the publisher once (the daemon logs
"alert #N" right before publishing it).

Exit status 0 when every check holds, 1 otherwise (the work directory is then
kept and named).

Usage:
  tests/fault/store_fault_test.py --brandmond build/bin/brandmond --brandmonctl build/bin/brandmonctl
      [--hold 8] [--work-dir DIR] [--keep]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

BUSY_TIMEOUT_S = 5  # the daemon's sqlite3_busy_timeout


class Producer(threading.Thread):
    """Appends one mention every `period` seconds; every third is a complaint."""

    def __init__(self, path, period=0.05):
        super().__init__(daemon=True)
        self.path = path
        self.period = period
        self.ids = []
        self.complaints = set()
        self.stop_event = threading.Event()

    def run(self):
        n = 0
        with open(self.path, "a", encoding="utf-8") as f:
            while not self.stop_event.is_set():
                item_id = "item-%05d" % n
                complaint = n % 3 == 0
                text = ("acme is awful, my order %d broke and support is terrible" % n if complaint
                        else "acme order %d arrived" % n)
                f.write(json.dumps({"id": item_id, "channel": "x", "author": "@user%d" % n, "text": text}) + "\n")
                f.flush()
                self.ids.append(item_id)
                if complaint:
                    self.complaints.add(item_id)
                n += 1
                time.sleep(self.period)


class NotifyListener(threading.Thread):
    """Collects the sd_notify datagrams sent to NOTIFY_SOCKET."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.path = path
        self.messages = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            with self.lock:
                self.messages.append(data.decode("utf-8", "replace"))

    def statuses(self):
        with self.lock:
            return [line[len("STATUS="):] for m in self.messages for line in m.split("\n") if line.startswith("STATUS=")]


class Run:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.failures = []
        self.config = os.path.join(work, "brandmon.json")
        self.db_path = os.path.join(work, "state", "brandmon.db")
        self.feed = os.path.join(work, "feed.jsonl")
        self.log_path = os.path.join(work, "daemon.log")
        self.log = open(self.log_path, "ab")
        self.daemon = None
        self.notify = NotifyListener(os.path.join(work, "notify.sock"))
        open(self.feed, "w").close()
        config = {
            "daemon": {
                "state_dir": os.path.join(work, "state"),
                "runtime_dir": os.path.join(work, "run"),
                "log_level": "info",
                "shutdown_timeout": "10s",
                "status_interval": "1s",
            },
            # ipc only: runs on one machine must not compete for TCP ports.
            "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
            "store": {"file": self.db_path},
            "rules": {"negative_mention": {"cooldown": "0s"}},
            "sources": [{"name": "feed", "type": "file", "path": self.feed, "channel": "x", "interval": "1s"}],
            "brands": [{"name": "acme"}],
        }
        with open(self.config, "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)

    def fail(self, message):
        print("FAIL: " + message, flush=True)
        self.failures.append(message)

    def start(self):
        env = dict(os.environ)
        env["NOTIFY_SOCKET"] = self.notify.path
        env.pop("WATCHDOG_USEC", None)
        self.daemon = subprocess.Popen([self.args.brandmond, "--config", self.config], stdout=self.log,
                                       stderr=subprocess.STDOUT, env=env, cwd=self.work)
        if not self.wait(lambda: self.status() is not None, 20):
            raise RuntimeError("brandmond did not answer status")

    def stop(self, timeout=40):
        self.daemon.send_signal(signal.SIGTERM)
        try:
            return self.daemon.wait(timeout)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
            self.fail("brandmond did not stop within %d s of SIGTERM" % timeout)
            return None

    def ctl(self, *argv):
        r = subprocess.run([self.args.brandmonctl, *argv, "--config", self.config], capture_output=True, text=True,
                           timeout=30)
        return r.returncode, r.stdout

    def status(self):
        rc, out = self.ctl("status", "--json")
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return None

    @staticmethod
    def wait(cond, timeout):
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if cond():
                return True
            time.sleep(0.2)
        return cond()

    def stored_count(self):
        db = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True, timeout=10)
        try:
            return db.execute("SELECT count(*) FROM seen").fetchone()[0]
        finally:
            db.close()

    def lock_database(self):
        """Takes the write lock from a second connection, as `sqlite3` would."""
        conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn


def text_of(v):
    """A column value as text (databases from before schema version 4 hold bytes)."""
    return v.decode("utf-8") if isinstance(v, (bytes, bytearray)) else v


def store_of(status):
    return (status or {}).get("store") or {}


def phase_while_running(run, hold):
    before = run.stored_count()
    lock = run.lock_database()
    held_at = time.monotonic()
    failing = None

    def is_failing():
        nonlocal failing
        failing = run.status()
        return store_of(failing).get("state") == "failing"

    if not run.wait(is_failing, BUSY_TIMEOUT_S + 5):
        run.fail("status never reported the locked store as failing: %s" % json.dumps(store_of(failing)))
    else:
        st = store_of(failing)
        if "locked" not in (st.get("last_error") or ""):
            run.fail("status's last store error does not name the lock: %r" % st.get("last_error"))
        if not st.get("write_errors"):
            run.fail("status shows no write errors while the store fails")
        if not isinstance(st.get("oldest_pending_s"), int):
            run.fail("status shows no age for the waiting write: %r" % st.get("oldest_pending_s"))
        rc, text = run.ctl("status")
        if "store: FAILING" not in text:
            run.fail("the human status does not say the store is failing:\n" + text)
        if not run.wait(lambda: any("STORE FAILING" in s for s in run.notify.statuses()), 5):
            run.fail("no sd_notify STATUS= line said the store is failing; last: %r" % run.notify.statuses()[-1:])
    time.sleep(max(0.0, hold - (time.monotonic() - held_at)))
    if run.stored_count() != before:
        run.fail("items were stored while the database was locked")
    lock.execute("ROLLBACK")
    lock.close()
    if not run.wait(lambda: store_of(run.status()).get("state") == "ok", BUSY_TIMEOUT_S + 10):
        run.fail("the store did not report ok after the lock was released")
    rc, text = run.ctl("status")
    if "store: ok" not in text:
        run.fail("the human status does not say the store is ok again:\n" + text)


def phase_restart(run):
    lock = run.lock_database()
    if not run.wait(lambda: store_of(run.status()).get("state") == "failing", BUSY_TIMEOUT_S + 5):
        run.fail("the second lock did not make the store fail")
    # Stopping while the write fails: the daemon gives up on what waits.
    run.stop()
    lock.execute("ROLLBACK")
    lock.close()
    run.start()


def verify(run, producer):
    ids = list(producer.ids)
    if not run.wait(lambda: run.stored_count() >= len(ids), 30):
        run.fail("only %d of %d items were seen after 30 s" % (run.stored_count(), len(ids)))
    run.stop()
    db = sqlite3.connect("file:%s?mode=ro" % run.db_path, uri=True)
    seen = [text_of(r[0]) for r in db.execute("SELECT id FROM seen WHERE source = 'feed'")]
    stored = [text_of(r[0]) for r in db.execute("SELECT mention_id FROM mentions WHERE source = 'feed'")]
    for name, got in (("seen", seen), ("stored", stored)):
        missing = sorted(set(ids) - set(got))
        doubled = sorted({i for i in got if got.count(i) > 1}) if len(got) != len(set(got)) else []
        if missing:
            run.fail("%d of %d produced items were never %s, e.g. %s" % (len(missing), len(ids), name, missing[:5]))
        if doubled:
            run.fail("%d items %s twice, e.g. %s" % (len(doubled), name, doubled[:5]))
    seqs, keys = [], []
    for seq, key in db.execute("SELECT seq, dedupe_key FROM alerts ORDER BY seq"):
        seqs.append(seq)
        keys.append(text_of(key))
    if seqs != list(range(1, len(seqs) + 1)):
        run.fail("alert seqs are not 1..%d without a gap" % len(seqs))
    if len(keys) != len(set(keys)):
        run.fail("an alert was journaled twice")
    alerted = {k.split("|")[-1] for k in keys if "|negative_mention|feed|" in k}
    missed = sorted(producer.complaints - alerted)
    if missed:
        run.fail("%d of %d complaints have no alert, e.g. %s" % (len(missed), len(producer.complaints), missed[:5]))
    with open(run.log_path, encoding="utf-8", errors="replace") as f:
        logged = [int(m) for m in re.findall(r"alert #(\d+) ", f.read())]
    if sorted(logged) != seqs:
        run.fail("the alerts handed to the publisher are not each journaled alert once (%d logged, %d journaled)" %
                 (len(logged), len(seqs)))
    return len(ids), len(seqs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--brandmond", required=True)
    ap.add_argument("--brandmonctl", required=True)
    ap.add_argument("--hold", type=float, default=BUSY_TIMEOUT_S + 3, help="seconds the lock is held")
    ap.add_argument("--work-dir")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.brandmond = os.path.abspath(args.brandmond)
    args.brandmonctl = os.path.abspath(args.brandmonctl)
    work = args.work_dir or tempfile.mkdtemp(prefix="brandmon-store-fault-")
    os.makedirs(work, exist_ok=True)
    run = Run(args, work)
    run.notify.start()
    producer = Producer(run.feed)
    try:
        run.start()
        producer.start()
        time.sleep(2)
        phase_while_running(run, args.hold)
        time.sleep(2)
        phase_restart(run)
        time.sleep(2)
        producer.stop_event.set()
        producer.join()
        items, alerts = verify(run, producer)
    except Exception as e:  # noqa: BLE001 - any error fails the run, keeping the work dir
        run.fail("driver error: %r" % e)
        items = alerts = 0
    finally:
        producer.stop_event.set()
        run.notify.stop_event.set()
        if run.daemon and run.daemon.poll() is None:
            run.daemon.kill()
            run.daemon.wait()
    if run.failures:
        print("store fault test FAILED (%d problems); work directory kept: %s" % (len(run.failures), work))
        return 1
    print("store fault test passed: %d items, %d alerts, each once, across two lock-outs and a restart" %
          (items, alerts))
    if not args.keep and not args.work_dir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
