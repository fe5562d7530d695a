#!/usr/bin/env python3
"""Fault test (issue 11): PostgreSQL stopped and started under a bounded loopback write load.

Starts a throwaway PostgreSQL (.ci/postgres.sh, port SP_OUTAGE_PG_PORT, default 54336) and `serve` on
it (127.0.0.1 only), then 4 writers POST audiograms as fast as the server answers (each request
times out after 10 s) while /readyz is polled every 50 ms. After 3 s PostgreSQL is stopped
(fast shutdown), after 5 s more started again, and the load runs 4 s more. Then:
  - every write answered 201 must be in the database (no acknowledged write lost);
  - the outage must produce 503s (with Retry-After), and no 500;
  - writes and /readyz must succeed again within 1 s of PostgreSQL accepting connections.
Prints the figures; exits 1 when a check fails. Usage: python3 .ci/outage_test.py [BINARY]
"""
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from ports import free_ports  # .ci/ports.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/soundprofile"))
PG_PORT = os.environ.get("SP_OUTAGE_PG_PORT", "54336")  # its own server, never the suite's SP_PG_PORT

PORT = free_ports(1)[0]
env = dict(os.environ, SP_PG_PORT=PG_PORT)


def pg_state():
    state = {}
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"soundprofile-postgres-{PG_PORT}.env")
    for line in open(path):
        k, _, v = line.strip().partition("=")
        state[k] = shlex.split(v)[0]
    return state


def pg_ctl(action):
    s = pg_state()
    cmd = ["runuser", "-u", "postgres", "--", s["SP_PGBIN"] + "/pg_ctl", "-D", s["SP_PGDATA"], "-w", "-t", "30"]
    if action == "stop":
        cmd += ["-m", "fast", "stop"]
    else:
        cmd += ["-l", s["SP_PGDATA"] + "/server.log", "-o",
                f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {s['SP_PGDATA']} -c fsync=off -c max_connections=200", "start"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def request(method, path, token=None, body=None, timeout=10):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", method=method, data=body)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)
    except Exception as e:  # connection reset, timeout
        return 0, str(e).encode(), {}


def main():
    url = subprocess.run(["bash", os.path.join(ROOT, ".ci/postgres.sh"), "start"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    data = subprocess.run(["mktemp", "-d"], capture_output=True, text=True).stdout.strip()
    serve = subprocess.Popen([BIN, "serve", "--database", url, "--port", str(PORT), "--data-dir", data, "--log-level", "warning"],
                             cwd=data, stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "serve.log"), "w"))
    failures = []
    try:
        deadline = time.monotonic() + 180  # a debug build on a shared 2-core machine
        while request("GET", "/readyz", timeout=1)[0] != 200:
            if serve.poll() is not None or time.monotonic() > deadline:
                with open(os.path.join(data, "serve.log"), errors="replace") as f:
                    print("--- end of serve's log:\n" + "".join(f.readlines()[-15:]), end="")
                raise SystemExit(f"FAILED: serve on port {PORT} " + (f"exited with status {serve.returncode}" if serve.poll() is not None
                                                                      else "was not ready within 180 s"))
            time.sleep(0.1)
        admin = subprocess.run([BIN, "token", "create", "--user", "00000000-0000-0000-0000-000000000000", "--admin",
                                "--data-dir", data], cwd=data, capture_output=True, text=True, check=True).stdout.strip()
        status, body, _ = request("POST", "/v1/users", admin, json.dumps({"email": "load@example.com", "fullName": "Load"}).encode())
        assert status == 201, (status, body)
        user = json.loads(body)["id"]
        audiogram = json.dumps({"right": {"500": 20, "1000": 30, "2000": 40}}).encode()

        events = []  # (time, kind, status, id)
        lock = threading.Lock()
        stop = threading.Event()

        def writer():
            while not stop.is_set():
                sent = time.monotonic()
                status, body, headers = request("POST", f"/v1/users/{user}/audiograms", admin, audiogram)
                ident = json.loads(body).get("id") if status == 201 else None
                with lock:
                    events.append((time.monotonic(), "write", status, ident, headers.get("Retry-After"), time.monotonic() - sent))
                if status != 201:
                    time.sleep(0.02)

        def ready_poller():
            while not stop.is_set():
                sent = time.monotonic()
                status = request("GET", "/readyz", timeout=2)[0]
                with lock:
                    events.append((time.monotonic(), "readyz", status, None, None, time.monotonic() - sent))
                time.sleep(0.05)

        threads = [threading.Thread(target=writer) for _ in range(4)] + [threading.Thread(target=ready_poller)]
        for t in threads:
            t.start()
        time.sleep(3)
        t_stop = time.monotonic()
        pg_ctl("stop")
        t_stopped = time.monotonic()
        time.sleep(5)
        pg_ctl("start")  # returns once PostgreSQL accepts connections (-w)
        t_up = time.monotonic()
        time.sleep(4)
        stop.set()
        for t in threads:
            t.join()

        writes = [e for e in events if e[1] == "write"]
        ready = [e for e in events if e[1] == "readyz"]
        acknowledged = [e[3] for e in writes if e[2] == 201]
        out = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-At", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "sp", "sp",
                              "-c", "SELECT id FROM audiograms"], env=dict(env, PGPASSWORD="sp"), capture_output=True, text=True, check=True)
        stored = set(out.stdout.split())
        lost = [i for i in acknowledged if i.lower() not in stored]
        first_503 = next((e[0] for e in sorted(writes) if e[0] > t_stop and e[2] == 503), None)
        first_ready_503 = next((e[0] for e in sorted(ready) if e[0] > t_stop and e[2] == 503), None)
        first_ok_after = next((e[0] for e in sorted(writes) if e[0] > t_up and e[2] == 201), None)
        first_ready_after = next((e[0] for e in sorted(ready) if e[0] > t_up and e[2] == 200), None)
        outage = [e for e in writes if t_stopped < e[0] < t_up]
        statuses = {}
        for e in writes:
            statuses[e[2]] = statuses.get(e[2], 0) + 1
        slowest_readyz = max(e[5] for e in ready)
        print(f"writes: {len(writes)} ({statuses}), acknowledged {len(acknowledged)}, lost {len(lost)}")
        print(f"during the outage: {len(outage)} answers, {sum(1 for e in outage if e[2] == 503)} of them 503, "
              f"all with Retry-After: {all(e[4] for e in outage if e[2] == 503)}")
        fmt = lambda t, base: "never" if t is None else f"{t - base:.3f} s"
        print(f"time to first 503 after the stop began: writes {fmt(first_503, t_stop)}, /readyz {fmt(first_ready_503, t_stop)}")
        print(f"recovery after PostgreSQL accepted connections: writes {fmt(first_ok_after, t_up)}, /readyz {fmt(first_ready_after, t_up)}")
        print(f"slowest /readyz answer: {slowest_readyz:.3f} s")
        if lost:
            failures.append(f"{len(lost)} acknowledged writes lost")
        if first_503 is None:
            failures.append("no 503 during the outage")
        if statuses.get(500):
            failures.append(f"{statuses[500]} answers were 500")
        if first_ok_after is None or first_ok_after - t_up > 1.0:
            failures.append("writes did not recover within 1 s")
        if first_ready_after is None or first_ready_after - t_up > 1.0:
            failures.append("/readyz did not recover within 1 s")
        if slowest_readyz > 1.0:
            failures.append(f"/readyz took {slowest_readyz:.3f} s")
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(10)
        except subprocess.TimeoutExpired:
            serve.kill()
            failures.append("serve did not stop within 10 s of SIGTERM")
        subprocess.run(["bash", os.path.join(ROOT, ".ci/postgres.sh"), "stop"], env=env)
        subprocess.run(["rm", "-rf", data])
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("outage test passed")


if __name__ == "__main__":
    main()
