#!/usr/bin/env python3
"""Crash-consistency harness for brandmond.

Starts a real brandmond on `file` sources that a producer keeps appending
JSON Lines mentions to, kills it with SIGKILL at seeded random moments and
restarts it, again and again. At the end it stops the daemon cleanly, runs one
last `--once` to drain what is left, and reads the SQLite state directly:

  * every produced (source, id) is in `seen` exactly once, and nothing else is;
  * every produced item that names a brand is stored once per brand, and
    nothing else is stored;
  * alert seqs run 1..N without a gap, each payload carries its row's seq, and
    no dedupe key appears twice;
  * every stored mention at or below the negative_mention threshold has its
    one alert, and every such alert has its stored mention;
  * a subscriber that catches up from seq 0 (the ZeroMQ catch-up service of a
    daemon started once more) receives every journaled alert: every seq once,
    in order, with its row's dedupe key and payload.

The kill schedule and the produced items are drawn from --seed, so a failing
run can be replayed with the same --seed and --iterations (the interleaving of
daemon and producer still depends on timing). Exit status 0 when every check
holds, 1 otherwise (the work directory is then kept and named).

The catch-up check needs pyzmq (Debian: python3-zmq).

Usage:
  tests/crash/crash_harness.py --brandmond build/bin/brandmond [--seed 1]
      [--iterations 50] [--max-kill-ms 900] [--work-dir DIR] [--keep]
"""

import argparse
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

try:
    import zmq
except ImportError:  # reported by run(): the catch-up check cannot be made
    zmq = None

THRESHOLD = -0.5
BRANDS = ("acme", "globex")

# (text, brands named). Negative ones must score well below the threshold in
# their language; the checks read the stored scores, so the exact figures do
# not matter, only that alerts fire at all.
TEMPLATES = [
    ("Acme support is terrible, my kettle broke after two days and nobody answers. Awful!", ("acme",)),
    ("I hate my Acme toaster, worst purchase ever 😡", ("acme",)),
    ("Absolutely love the new Acme kettle, best purchase this year! 😍", ("acme",)),
    ("Does anyone know when Acme ships the K-3 to Spain?", ("acme",)),
    ("El servicio de Globex es pésimo, horrible, no funciona nada 😡", ("globex",)),
    ("Globex ka naya fridge bahut accha hai, bilkul silent!", ("globex",)),
    ("Globex नું ફ્રિજ ખૂબ સરસ છે, મને ખૂબ ગમ્યું!", ("globex",)),
    ("Switched from Acme to Globex: Acme was awful and broken, Globex is great", ("acme", "globex")),
    ("The weather in Lisbon is lovely today.", ()),
    ("Nuevo episodio del podcast sobre cocina casera.", ()),
    ("आज बाज़ार में बहुत भीड़ थी", ()),
    ("Traffic on the A1 is terrible again, what a disaster", ()),
]


class Producer(threading.Thread):
    """Appends mentions to the source files at a steady pace; records what it wrote."""

    def __init__(self, rng, files, rate_per_s):
        super().__init__(name="producer", daemon=True)
        self.rng = rng
        self.files = files  # source name -> path
        self.rate = rate_per_s
        self.produced = {}  # (source, id) -> tuple of brands
        self.lines = 0
        self.stop_event = threading.Event()
        self.error = None

    def make_line(self, source, n):
        text, brands = self.rng.choice(TEMPLATES)
        item_id = "%s-%06d" % (source, n)
        # Make texts distinct so nothing can be confused across items.
        text = "%s (#%d)" % (text, n)
        followers = self.rng.choice([3, 150, 2400, 180000])
        obj = {
            "id": item_id,
            "channel": "x",
            "url": "https://x.example/%s/%d" % (source, n),
            "author": "@user%d" % self.rng.randrange(400),
            "text": text,
            "published": "2026-11-25T10:%02d:%02dZ" % (n // 60 % 60, n % 60),
            "metrics": {"followers": followers},
        }
        return item_id, brands, json.dumps(obj, ensure_ascii=False)

    def run(self):
        try:
            counters = {s: 0 for s in self.files}
            handles = {s: open(p, "a", encoding="utf-8") for s, p in self.files.items()}
            interval = 1.0 / self.rate
            while not self.stop_event.is_set():
                source = self.rng.choice(sorted(self.files))
                f = handles[source]
                batch = self.rng.randint(1, 8)
                chunks = []
                for _ in range(batch):
                    counters[source] += 1
                    item_id, brands, line = self.make_line(source, counters[source])
                    self.produced[(source, item_id)] = brands
                    chunks.append(line + "\n")
                    # Now and then the same item again (a re-post of the same id).
                    if self.rng.random() < 0.03:
                        chunks.append(line + "\n")
                data = "".join(chunks)
                if self.rng.random() < 0.2:
                    # A line written in two parts: the daemon may read the first
                    # half and must wait for the newline.
                    cut = self.rng.randrange(1, len(data))
                    f.write(data[:cut])
                    f.flush()
                    time.sleep(self.rng.uniform(0, 0.02))
                    f.write(data[cut:])
                else:
                    f.write(data)
                f.flush()
                self.lines += batch
                time.sleep(interval * batch)
            for f in handles.values():
                f.close()
        except Exception as e:  # reported by the main thread
            self.error = e


def write_config(work, files, db_path):
    config = {
        "daemon": {
            "state_dir": os.path.join(work, "state"),
            "runtime_dir": os.path.join(work, "run"),
            "log_level": "warn",
            "shutdown_timeout": "10s",
        },
        # ipc only: runs on one machine must not compete for TCP ports.
        "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
        "store": {"file": db_path, "synchronous": "normal"},
        "rules": {"negative_mention": {"threshold": THRESHOLD, "cooldown": "0s"}},
        "sources": [
            {"name": s, "type": "file", "path": p, "channel": "x", "interval": "1s"} for s, p in sorted(files.items())
        ],
        "brands": [
            {"name": "acme", "query": "acme OR #acme"},
            {"name": "globex", "query": "globex", "diacritic_insensitive": True},
        ],
    }
    path = os.path.join(work, "brandmon.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
    return path


def start_daemon(args, config, log, extra=()):
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen([args.brandmond, "--config", config, *extra], stdout=log, stderr=subprocess.STDOUT,
                            env=env, cwd=os.path.dirname(config))



def text_of(v):
    return v.decode("utf-8") if isinstance(v, (bytes, bytearray)) else v


def verify(db_path, produced):
    """Returns (failures, summary) after reading the store directly."""
    failures = []
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        failures.append("PRAGMA integrity_check failed")

    seen = {}
    for source, item_id in db.execute("SELECT source, id FROM seen"):
        key = (text_of(source), text_of(item_id))
        seen[key] = seen.get(key, 0) + 1
    missing = sorted(set(produced) - set(seen))
    extra = sorted(set(seen) - set(produced))
    doubled = sorted(k for k, n in seen.items() if n > 1)
    if missing:
        failures.append("%d produced items never seen, e.g. %s" % (len(missing), missing[:5]))
    if extra:
        failures.append("%d seen ids were never produced, e.g. %s" % (len(extra), extra[:5]))
    if doubled:
        failures.append("%d ids seen twice, e.g. %s" % (len(doubled), doubled[:5]))

    expected = {(s, i, b) for (s, i), brands in produced.items() for b in brands}
    stored = {}
    scores = {}
    for source, item_id, brand, compound, target in db.execute(
            "SELECT source, mention_id, brand, compound, target FROM mentions"):
        key = (text_of(source), text_of(item_id), text_of(brand))
        stored[key] = stored.get(key, 0) + 1
        scores[key] = target if target is not None else compound
    lost = sorted(expected - set(stored))
    unexpected = sorted(set(stored) - expected)
    repeated = sorted(k for k, n in stored.items() if n > 1)
    if lost:
        failures.append("%d mentions lost, e.g. %s" % (len(lost), lost[:5]))
    if unexpected:
        failures.append("%d mentions stored that match no produced brand, e.g. %s" % (len(unexpected), unexpected[:5]))
    if repeated:
        failures.append("%d mentions stored more than once, e.g. %s" % (len(repeated), repeated[:5]))

    seqs = []
    keys = {}
    negative_alerts = set()
    for seq, payload, key in db.execute("SELECT seq, payload, dedupe_key FROM alerts ORDER BY seq"):
        seqs.append(seq)
        key = text_of(key)
        if key:
            keys[key] = keys.get(key, 0) + 1
        try:
            body = json.loads(text_of(payload))
        except ValueError:
            failures.append("alert %d: payload is not JSON" % seq)
            continue
        if body.get("seq") != seq:
            failures.append("alert %d: payload carries seq %r" % (seq, body.get("seq")))
        if body.get("rule") == "negative_mention":
            negative_alerts.add(key)
    if seqs != list(range(1, len(seqs) + 1)):
        gaps = [(a, b) for a, b in zip([0] + seqs, seqs) if b != a + 1]
        failures.append("alert seqs are not contiguous from 1: breaks at %s" % gaps[:5])
    dup_keys = sorted(k for k, n in keys.items() if n > 1)
    if dup_keys:
        failures.append("%d dedupe keys journaled twice, e.g. %s" % (len(dup_keys), dup_keys[:5]))

    should_alert = {"%s|negative_mention|%s|%s" % (b, s, i) for (s, i, b), score in scores.items() if score <= THRESHOLD}
    unalerted = sorted(should_alert - negative_alerts)
    orphans = sorted(negative_alerts - should_alert)
    if unalerted:
        failures.append("%d negative mentions stored without their alert, e.g. %s" % (len(unalerted), unalerted[:5]))
    if orphans:
        failures.append("%d negative_mention alerts without their stored mention, e.g. %s" % (len(orphans), orphans[:5]))
    if not should_alert:
        failures.append("no negative mention was stored: the run proves nothing about alerts")
    db.close()
    summary = "items %d, seen %d, mentions %d, alerts %d (negative_mention %d)" % (
        len(produced), len(seen), sum(stored.values()), len(seqs), len(negative_alerts))
    return failures, summary


def catch_up_all(endpoint, timeout_s=20.0, limit=500):
    """Every alert the catch-up service at `endpoint` holds after seq 0, asked
    for in pages of `limit` (so the paging is exercised too). Returns
    (entries, last_seq) where entries are (topic, payload dict) in reply order
    and last_seq is the journal's last seq when the first request arrived."""
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(endpoint)
    entries = []
    last_seq = None
    since = 0
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            sock.send(json.dumps({"v": 1, "since": since, "limit": limit}).encode())
            while True:
                # The daemon may still be binding the socket: ZeroMQ queues the
                # request until it connects, so only the overall time counts.
                if not sock.poll(max(1, int((deadline - time.monotonic()) * 1000))):
                    raise TimeoutError("no catch-up answer from %s within %.0fs" % (endpoint, timeout_s))
                frames = sock.recv_multipart()
                if len(frames) != 2:
                    raise RuntimeError("catch-up reply of %d frames" % len(frames))
                topic, payload = text_of(frames[0]), json.loads(text_of(frames[1]))
                if topic == "catchup.error":
                    raise RuntimeError("catch-up error: %s" % payload.get("error"))
                if topic == "catchup.end":
                    break
                entries.append((topic, payload))
            if last_seq is None:
                last_seq = payload["last_seq"]
            if payload["upto"] <= since and not payload["complete"]:
                raise RuntimeError("catch-up made no progress past seq %d" % since)
            since = max(since, payload["upto"])
            if payload["complete"]:
                return entries, last_seq
    finally:
        sock.close()
        ctx.term()


def verify_catchup(db_path, entries, last_seq):
    """Compares what a subscriber caught up from seq 0 with the journal rows
    up to last_seq (alerts a trend rule raises while the catch-up daemon runs
    come later and are not part of the request)."""
    failures = []
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    rows = [(seq, text_of(key), json.loads(text_of(payload)))
            for seq, key, payload in db.execute("SELECT seq, dedupe_key, payload FROM alerts WHERE seq <= ? ORDER BY seq",
                                                (last_seq,))]
    db.close()
    got = [p.get("seq") for _, p in entries]
    if got != sorted(got) or len(set(got)) != len(got):
        failures.append("catch-up seqs are not strictly increasing: %s" % got[:20])
    by_seq = {}
    for topic, p in entries:
        by_seq.setdefault(p.get("seq"), []).append((topic, p))
    missing = [seq for seq, _, _ in rows if seq not in by_seq]
    extra = sorted(seq for seq in by_seq if seq not in {r[0] for r in rows})
    twice = sorted(seq for seq, v in by_seq.items() if len(v) > 1)
    if missing:
        failures.append("catch-up from 0 misses %d journaled alerts, e.g. seqs %s" % (len(missing), missing[:5]))
    if extra:
        failures.append("catch-up returned %d seqs the journal does not hold, e.g. %s" % (len(extra), extra[:5]))
    if twice:
        failures.append("catch-up returned %d seqs more than once, e.g. %s" % (len(twice), twice[:5]))
    mismatched = []
    for seq, key, payload in rows:
        for topic, p in by_seq.get(seq, [])[:1]:
            expected_topic = "alert.%s.%s" % (payload.get("brand"), payload.get("rule"))
            if p.get("dedupe_key") != key or p != payload or topic != expected_topic:
                mismatched.append(seq)
    if mismatched:
        failures.append("%d caught-up alerts differ from their journal row (dedupe key, payload or topic), e.g. "
                        "seqs %s" % (len(mismatched), mismatched[:5]))
    if not rows:
        failures.append("the journal holds no alert: the catch-up check proves nothing")
    return failures, "caught up %d of %d journaled alerts" % (len(entries), len(rows))


def final_catchup(args, config, log, work, db_path):
    """Starts the daemon once more, catches up from seq 0, stops it, and
    compares. Returns (failures, summary)."""
    if zmq is None:
        return ["pyzmq is not installed (python3-zmq): cannot check the catch-up service"], ""
    log.write(b"=== catch-up run, stopped with SIGTERM\n")
    log.flush()
    proc = start_daemon(args, config, log)
    failures = []
    entries, last_seq = [], 0
    try:
        entries, last_seq = catch_up_all("ipc://" + os.path.join(work, "run", "catchup.sock"))
    except (TimeoutError, RuntimeError, KeyError, ValueError) as e:
        failures.append("catch-up from seq 0 failed: %s" % e)
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
        if code != 0:
            failures.append("brandmond exited with %d on SIGTERM after the catch-up" % code)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        failures.append("brandmond did not stop within 30s of SIGTERM after the catch-up")
    if failures:
        return failures, ""
    return verify_catchup(db_path, entries, last_seq)


def run(args):
    master = random.Random(args.seed)
    kill_rng = random.Random(master.getrandbits(64))
    producer_rng = random.Random(master.getrandbits(64))
    work = args.work_dir or tempfile.mkdtemp(prefix="brandmon-crash-")
    os.makedirs(os.path.join(work, "in"), exist_ok=True)
    files = {}
    for i in range(args.sources):
        name = "feed%d" % i
        files[name] = os.path.join(work, "in", name + ".jsonl")
        open(files[name], "a").close()
    db_path = os.path.join(work, "state", "brandmon.db")
    config = write_config(work, files, db_path)
    log_path = os.path.join(work, "daemon.log")
    log = open(log_path, "ab")

    producer = Producer(producer_rng, files, args.rate)
    producer.start()
    started = time.monotonic()
    failures = []
    early_exits = 0
    for n in range(1, args.iterations + 1):
        delay = kill_rng.uniform(args.min_kill_ms, args.max_kill_ms) / 1000.0
        log.write(b"=== run %d: SIGKILL after %.3fs\n" % (n, delay))
        log.flush()
        proc = start_daemon(args, config, log)
        try:
            code = proc.wait(timeout=delay)
            early_exits += 1
            failures.append("run %d: brandmond exited by itself with %d before the kill (see %s)" % (n, code, log_path))
            break
        except subprocess.TimeoutExpired:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if args.verbose:
            print("run %d: killed after %.3fs, %d lines produced" % (n, delay, producer.lines), flush=True)

    # Let the daemon run a little while the producer stops, then a clean stop
    # and one last cycle that must drain everything.
    producer.stop_event.set()
    producer.join()
    if producer.error:
        failures.append("producer failed: %r" % producer.error)
    if not failures:
        log.write(b"=== final run, stopped with SIGTERM\n")
        log.flush()
        proc = start_daemon(args, config, log)
        if not wait_started(proc, os.path.join(os.path.dirname(config), "run", "control.sock")):
            failures.append("brandmond did not start within 60s (see %s)" % log_path)
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
            if code != 0:
                failures.append("brandmond exited with %d on SIGTERM (see %s)" % (code, log_path))
        except subprocess.TimeoutExpired:
            proc.kill()
            failures.append("brandmond did not stop within 30s of SIGTERM")
        log.write(b"=== --once\n")
        log.flush()
        once = start_daemon(args, config, log, ("--once",))
        code = once.wait(timeout=120)
        if code != 0:
            failures.append("brandmond --once exited with %d (see %s)" % (code, log_path))

    summary = ""
    if not failures:
        failures, summary = verify(db_path, producer.produced)
    if not failures:
        failures, catchup_summary = final_catchup(args, config, log, work, db_path)
        summary += "; " + catchup_summary
    log.close()
    elapsed = time.monotonic() - started
    print("crash harness: seed %d, %d SIGKILLs survived in %.1fs, %d lines produced; %s" %
          (args.seed, args.iterations - early_exits, elapsed, producer.lines, summary), flush=True)
    if failures:
        for f in failures:
            print("FAIL: " + f, file=sys.stderr)
        print("work dir kept: %s (replay: --seed %d --iterations %d)" % (work, args.seed, args.iterations),
              file=sys.stderr)
        return 1
    if not args.keep and not args.work_dir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--brandmond", required=True, help="path of the brandmond binary")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--iterations", type=int, default=50, help="SIGKILLs (and restarts) per run")
    p.add_argument("--min-kill-ms", type=float, default=20)
    p.add_argument("--max-kill-ms", type=float, default=900)
    p.add_argument("--sources", type=int, default=3)
    p.add_argument("--rate", type=float, default=400, help="items per second the producer appends")
    p.add_argument("--work-dir", help="use this directory (kept) instead of a temporary one")
    p.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    if args.iterations < 1 or args.min_kill_ms < 0 or args.max_kill_ms < args.min_kill_ms:
        p.error("need --iterations >= 1 and 0 <= --min-kill-ms <= --max-kill-ms")
    args.brandmond = os.path.abspath(args.brandmond)
    if not os.access(args.brandmond, os.X_OK):
        p.error("not an executable: " + args.brandmond)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
