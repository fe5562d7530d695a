#!/usr/bin/env python3
"""Replica test (issue 14): three `serve` instances on one empty PostgreSQL database.

Needs SOUNDPROFILE_TEST_POSTGRES_URL (`source .ci/postgres.sh`). In a fresh schema of that
database it starts three instances at once on 127.0.0.1 (one JWT secret, from
SOUNDPROFILE_JWT_SECRET), then checks:
  - migrations ran exactly once, under the lock: each version is logged as applied by exactly
    one instance, and schema_migrations holds each version once;
  - a bounded write load spread across the instances (4 writers x 40 users, round robin):
    every write answered 201 is readable through every instance;
  - graceful shutdown under load: 4 writers fit profiles through instance C; SIGTERM to C after
    1.5 s; every request in flight at that moment (sent at least 20 ms before it) completes with
    201, at least one request sent before SIGTERM is answered 201 after it, nothing gets a 5xx,
    C exits 0 within 10 s, and A and B still answer. When no request overlapping SIGTERM
    completed across it (each may find its connection closed unread), the same is done to B.
Prints the figures; exits 1 when a check fails. Usage: python3 .ci/replicas_test.py [BINARY]
"""
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from ports import free_ports  # .ci/ports.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
READY_SECONDS = 180


def default_binary():
    for name in ("soundprofile-service", "soundprofile"):
        path = os.path.join(ROOT, ".build/debug", name)
        if os.access(path, os.X_OK):
            return path
    raise SystemExit("no service binary; build first")


BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else default_binary()
BASE_URL = os.environ.get("SOUNDPROFILE_TEST_POSTGRES_URL") or sys.exit("SOUNDPROFILE_TEST_POSTGRES_URL is not set (source .ci/postgres.sh)")


def request(port, method, path, token=None, body=None, timeout=20):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=body)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except urllib.error.URLError as e:
        return ("refused" if isinstance(e.reason, ConnectionRefusedError) else "error"), str(e).encode()
    except Exception as e:  # reset, timeout
        return "error", str(e).encode()


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(no log: {e})\n"


def psql(sql):
    u = urllib.parse.urlparse(BASE_URL)
    return subprocess.run(["psql", "-At", "-h", u.hostname, "-p", str(u.port), "-U", u.username, u.path.lstrip("/"), "-c", sql],
                          env=dict(os.environ, PGPASSWORD=u.password or ""), capture_output=True, text=True, check=True).stdout


def main():
    schema = "replicas_" + uuid.uuid4().hex[:12]
    psql(f"CREATE SCHEMA {schema}")
    url = BASE_URL + ("&" if "?" in BASE_URL else "?") + "search_path=" + schema
    data = tempfile.mkdtemp(prefix="sp-replicas.")
    # One secret for all three, as a deployment shares it (README: SOUNDPROFILE_JWT_SECRET);
    # three instances creating <data-dir>/jwt-secret at once would each make their own.
    os.environ["SOUNDPROFILE_JWT_SECRET"] = base64.b64encode(os.urandom(48)).decode()
    ports = free_ports(3)
    servers, logs = [], []
    failures = []
    try:
        for i, port in enumerate(ports):  # all three at once, on an empty schema
            log = os.path.join(data, f"serve-{i}.log")
            logs.append(log)
            servers.append(subprocess.Popen([BIN, "serve", "--database", url, "--port", str(port), "--data-dir", data,
                                             "--log-level", "info"], cwd=data, stdout=subprocess.DEVNULL, stderr=open(log, "w")))
        # Generous: three debug builds start on a shared 2-core machine, two of them queued on
        # the migration lock. An instance that exits, or that is not ready in time, is reported
        # with the end of its log, so a failure says why.
        started = time.monotonic()
        deadline = started + READY_SECONDS
        for i, port in enumerate(ports):
            while request(port, "GET", "/readyz", timeout=1)[0] != 200:
                if servers[i].poll() is not None or time.monotonic() > deadline:
                    why = (f"exited with status {servers[i].returncode}" if servers[i].poll() is not None
                           else f"was not ready within {READY_SECONDS} s")
                    for j, other in enumerate(logs):
                        print(f"--- end of instance {j}'s log (port {ports[j]}, "
                              f"{'running' if servers[j].poll() is None else 'exit ' + str(servers[j].returncode)}):")
                        print(tail(other), end="")
                    raise SystemExit(f"FAILED: instance {i} on port {port} {why}")
                time.sleep(0.1)
        print(f"start-up: all three instances ready {time.monotonic() - started:.1f} s after launch")
        applied = [line for log in logs for line in open(log) if "applied migration" in line]
        rows = psql(f"SELECT version FROM {schema}.schema_migrations").split()
        print(f"migrations: {len(rows)} versions in schema_migrations; 'applied migration' logged {len(applied)} times "
              f"by {sum(1 for log in logs if any('applied migration' in l for l in open(log)))} instance(s)")
        if len(rows) != len(set(rows)) or len(applied) != len(rows) or not rows:
            failures.append("migrations did not run exactly once")

        admin = subprocess.run([BIN, "token", "create", "--user", str(uuid.uuid4()), "--admin", "--data-dir", data],
                               cwd=data, capture_output=True, text=True, check=True).stdout.strip()
        acknowledged, statuses, lock = [], {}, threading.Lock()

        def writer(w):
            for n in range(40):
                port = ports[(w + n) % 3]
                body = json.dumps({"email": f"w{w}-{n}-{uuid.uuid4().hex[:6]}@example.com", "fullName": f"Writer {w} {n}"}).encode()
                status, answer = request(port, "POST", "/v1/users", admin, body)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 201:
                        acknowledged.append(json.loads(answer)["id"])

        started = time.monotonic()
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        unreadable = [(i, port) for i in acknowledged for port in ports if request(port, "GET", f"/v1/users/{i}", admin)[0] != 200]
        print(f"writes across 3 instances: {sum(statuses.values())} in {elapsed:.1f} s ({statuses}); acknowledged {len(acknowledged)}; "
              f"reads through every instance: {len(acknowledged) * 3 - len(unreadable)}/{len(acknowledged) * 3} found")
        if unreadable:
            failures.append(f"{len(unreadable)} acknowledged writes not readable through some instance")
        if statuses.get(201, 0) != 160:
            failures.append(f"not every write was acknowledged: {statuses}")

        user = acknowledged[0]
        status, answer = request(ports[0], "POST", f"/v1/users/{user}/audiograms", admin,
                                 json.dumps({"right": {"500": 20, "1000": 30, "2000": 40, "4000": 55}}).encode())
        assert status == 201, (status, answer)
        audiogram = json.loads(answer)["id"]
        fit = json.dumps({"userId": user, "audiogramId": audiogram, "rule": "nal-r"}).encode()

        def shutdown_under_load(victim):
            """SIGTERM to instance `victim` while 4 fitters load it. Returns (failures, proved):
            proved when a request sent before SIGTERM was answered 201 after it."""
            found = []
            events, stop = [], threading.Event()

            def fitter():
                while not stop.is_set():
                    sent = time.monotonic()
                    status, _ = request(ports[victim], "POST", "/v1/profiles", admin, fit)
                    with lock:
                        events.append((sent, time.monotonic(), status))
                    if status in ("refused", "error"):
                        time.sleep(0.05)

            threads = [threading.Thread(target=fitter) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            t_term = time.monotonic()
            servers[victim].send_signal(signal.SIGTERM)
            try:
                code = servers[victim].wait(10)
            except subprocess.TimeoutExpired:
                code = None
            t_exit = time.monotonic()
            time.sleep(0.3)
            stop.set()
            for t in threads:
                t.join()
            # In flight = sent at least 20 ms before SIGTERM (so the server had read it) and not
            # yet answered. A request sent in the last 20 ms may still sit unread on a connection
            # that the shutdown closes as idle; those are counted apart.
            in_flight = [e for e in events if e[0] < t_term - 0.02 and t_term < e[1]]
            raced = [e for e in events if t_term - 0.02 <= e[0] <= t_term < e[1]]
            before = [e for e in events if e[1] <= t_term]  # answered before SIGTERM
            after = [e for e in events if e[0] > t_term]
            summary = {}
            for e in events:
                summary[e[2]] = summary.get(e[2], 0) + 1
            print(f"shutdown of instance {victim}: {len(before)} fits answered before SIGTERM, {len(in_flight)} in flight at SIGTERM "
                  f"({sum(1 for e in in_flight if e[2] == 201)} completed with 201), {len(raced)} sent within 20 ms of it "
                  f"({sum(1 for e in raced if e[2] == 201)} answered 201), {len(after)} sent after; "
                  f"it exited with {code} after {t_exit - t_term:.2f} s; all statuses {summary}")
            if code != 0:
                found.append(f"instance {victim} exit status {code}")
            if any(e[2] != 201 for e in in_flight):
                found.append(f"instance {victim}: an in-flight request did not complete")
            if any(isinstance(e[2], int) and e[2] >= 500 for e in events):
                found.append(f"instance {victim}: 5xx during shutdown")
            if any(e[2] != 201 for e in before):
                found.append(f"instance {victim}: a request before SIGTERM failed")
            # The proof needs a request the server held when SIGTERM came and still answered
            # 201. A fit takes a few ms, so on a fast machine every overlapping request may have
            # been sent in the last 20 ms; one of those answered 201 was read all the same.
            return found, any(e[2] == 201 for e in in_flight + raced)

        # Graceful shutdown of C under a profile-fitting load. Each of the few requests that
        # overlap SIGTERM may find its connection closed unread (seen: 1 of 4 answered), so if
        # none completed across it the proof is taken again on B; A must still answer.
        found, proved = shutdown_under_load(2)
        failures += found
        if not proved and not found:
            print("no request overlapping SIGTERM to instance 2 completed across it; taking the proof on instance 1")
            found, proved = shutdown_under_load(1)
            failures += found
        if not proved:
            failures.append("no request sent before SIGTERM was answered after it (the test proved nothing)")
        if request(ports[0], "GET", f"/v1/users/{user}", admin)[0] != 200:
            failures.append(f"instance on {ports[0]} stopped answering")
        if servers[1].poll() is None and request(ports[1], "GET", f"/v1/users/{user}", admin)[0] != 200:
            failures.append(f"instance on {ports[1]} stopped answering")
    finally:
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    failures.append("an instance did not stop within 10 s of SIGTERM")
        errors = [line.strip() for log in logs for line in open(log) if "unhandled error" in line]
        if errors:
            failures.append(f"unhandled errors logged: {errors[:3]}")
        try:
            psql(f"DROP SCHEMA {schema} CASCADE")
        except subprocess.CalledProcessError:
            pass
        subprocess.run(["rm", "-rf", data])
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("replica test passed")


if __name__ == "__main__":
    main()
