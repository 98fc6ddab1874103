#!/usr/bin/env python3
"""Follows brandmon's alerts with gap detection and catch-up (docs/alerts.md).

Prints one JSON alert per line, each once and in seq order, filling any gap
(a slow subscriber's drops, a daemon restart) from the catch-up service.

    subscriber.py [--endpoint E] [--catchup-endpoint E] [--topic PREFIX]
                  [--since SEQ] [--count N] [--timeout SECONDS]

Needs pyzmq (Debian: python3-zmq).
"""

import argparse
import json
import sys
import time

import zmq


def catch_up(ctx, endpoint, since, topic, emit):
    """Requests everything after `since`; returns the seq covered up to."""
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(endpoint)
    try:
        while True:
            sock.send(json.dumps({"v": 1, "since": since, "topic": topic}).encode())
            while True:
                if not sock.poll(10000):
                    raise TimeoutError("no catch-up answer from " + endpoint)
                frame_topic, payload = sock.recv_multipart()
                if frame_topic == b"catchup.error":
                    raise RuntimeError(json.loads(payload)["error"])
                if frame_topic == b"catchup.end":
                    end = json.loads(payload)
                    since = max(since, end["upto"])
                    break
                emit(json.loads(payload))
            if end["complete"]:
                return since
    finally:
        sock.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint", default="tcp://127.0.0.1:5556")
    p.add_argument("--catchup-endpoint", default="tcp://127.0.0.1:5557")
    p.add_argument("--topic", default="alert.", help="topic prefix to print")
    p.add_argument("--since", type=int, help="first print every journaled alert after this seq")
    p.add_argument("--count", type=int, help="exit after this many alerts")
    p.add_argument("--timeout", type=float, help="exit after this many seconds")
    args = p.parse_args()

    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    # Every alert is received so that a jump in seq is always a real gap.
    sub.subscribe(b"alert.")
    sub.subscribe(b"heartbeat")
    sub.connect(args.endpoint)

    state = {"cursor": args.since, "shown": 0}

    def emit(alert):
        if state["cursor"] is not None and alert["seq"] <= state["cursor"]:
            return
        state["cursor"] = alert["seq"]
        state["shown"] += 1
        print(json.dumps(alert, ensure_ascii=False), flush=True)

    def done():
        return args.count is not None and state["shown"] >= args.count

    def fill():
        state["cursor"] = catch_up(ctx, args.catchup_endpoint, state["cursor"], args.topic, emit)

    if state["cursor"] is not None:
        fill()
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    while not done():
        wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
        if wait <= 0:
            break
        if not sub.poll(int(wait * 1000)):
            continue
        topic, payload = sub.recv_multipart()
        msg = json.loads(payload)
        if topic == b"heartbeat":
            if state["cursor"] is None:
                state["cursor"] = msg["last_seq"]
            elif msg["last_seq"] > state["cursor"]:
                fill()
            elif msg["last_seq"] < state["cursor"]:
                print("journal restarted at seq %d" % msg["last_seq"], file=sys.stderr)
                state["cursor"] = msg["last_seq"]
            continue
        seq = msg["seq"]
        cursor = state["cursor"]
        if cursor is not None and seq <= cursor:
            continue
        if cursor is not None and seq > cursor + 1:
            fill()
            if seq <= state["cursor"]:
                continue
        if topic.decode().startswith(args.topic):
            emit(msg)
        else:
            state["cursor"] = seq
    return 0 if not args.count or done() else 1


if __name__ == "__main__":
    sys.exit(main())
