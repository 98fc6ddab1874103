#!/bin/sh
# Prints every brandmon alert as one JSON line, using pyzmq (Debian: python3-zmq).
# Usage: tail.sh [ENDPOINT]   (default tcp://127.0.0.1:5556)
exec python3 -c 'import sys,zmq; s=zmq.Context().socket(zmq.SUB); s.connect(sys.argv[1]); s.subscribe(b"alert."); [print(s.recv_multipart()[1].decode(), flush=True) for _ in iter(int, 1)]' "${1:-tcp://127.0.0.1:5556}"
