"""What the crash harnesses share: waiting until a program has started."""
import socket
import time


def wait_started(proc, control_socket, timeout_s=60.0):
    """Waits until `proc` accepts connections on its control socket. By then it
    has blocked the signals it reads, so a SIGTERM stops it cleanly; sent
    earlier (the program still loading, on a slow or sanitized build), a
    SIGTERM kills it as it would any program that has not reached its main.
    A socket file left by a killed run refuses connections."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(control_socket)
            return True
        except OSError:
            time.sleep(0.05)
        finally:
            s.close()
    return False
