#!/usr/bin/env python3
"""Run a throw-away Apache Kafka 4.x cluster (KRaft, combined broker+controller
nodes) on 127.0.0.1 from jars fetched with Maven. Python 3 stdlib only.

    python3 deploy/kafka/kafka.py fetch
    python3 deploy/kafka/kafka.py start --nodes 3 --base-dir /tmp/kafka
    python3 deploy/kafka/kafka.py kill-node  --base-dir /tmp/kafka --node 2
    python3 deploy/kafka/kafka.py start-node --base-dir /tmp/kafka --node 2
    python3 deploy/kafka/kafka.py status --base-dir /tmp/kafka
    python3 deploy/kafka/kafka.py stop --base-dir /tmp/kafka

`start`, `start-node` and `status` print the bootstrap servers
("127.0.0.1:19092,...") as the last line on stdout; everything else goes to
stderr. See README.md next to this file.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FETCH_SH = HERE / "fetch.sh"
STATE_FILE = "cluster.json"
DEFAULT_PORT_BASE = 19092  # brokers: 19092.., controllers: port_base+100..
CONTROLLER_OFFSET = 100
DEFAULT_HEAP = ("-Xms256m", "-Xmx512m")

LOG4J2 = """\
# written by deploy/kafka/kafka.py
status = warn
name = avtal-kafka
# no log4j shutdown hook (Kafka's own hook logs while the JVM exits); the file
# appender flushes every line anyway
shutdownHook = disable
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
"""


def log(msg: str) -> None:
    print(f"kafka.py: {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


# --------------------------------------------------------------------------
# fetch


def fetch() -> Path:
    """Run fetch.sh (idempotent) and return the lib folder."""
    res = subprocess.run(["bash", str(FETCH_SH)], stdout=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise Failure(f"fetch.sh failed with exit code {res.returncode}")
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    if not lines:
        raise Failure("fetch.sh printed no lib folder")
    lib = Path(lines[-1])
    if not lib.is_dir():
        raise Failure(f"fetch.sh printed {lib}, which is not a folder")
    return lib


# --------------------------------------------------------------------------
# helpers


def java_bin() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise Failure("java not found (Kafka 4.x needs Java 17+)")
    return found


def random_cluster_id() -> str:
    # Same format as org.apache.kafka.common.Uuid: url-safe base64 of 16 bytes,
    # no padding; Kafka avoids ids starting with '-' (they look like options).
    while True:
        cid = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def port_free(port: int) -> bool:
    # SO_REUSEADDR like the JVM's server sockets, so TIME_WAIT leftovers of a
    # previous run don't count as "in use".
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pid_alive(pid: int, marker: str | None = None) -> bool:
    """True while any thread of pid still runs and, if given, its cmdline has marker.

    A SIGKILLed JVM's main thread turns zombie before its other threads have
    exited; until the last one has, the process still holds its ports and its
    data directory's lock. So every thread counts, not only the leader."""
    try:
        if marker is not None:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            if cmd and marker.encode() not in cmd:
                return False
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                stat = (task / "stat").read_text()
            except OSError:
                continue
            if stat[stat.rindex(")") + 2 :].split()[0] not in ("Z", "X"):
                return True
        return False
    except (OSError, ValueError, IndexError):
        return False


def tcp_open(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def _read_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise OSError("connection closed")
        buf += chunk
    return buf


def metadata(port: int, timeout: float = 3.0) -> tuple[list[int], int]:
    """Ask the broker on port for cluster metadata (Metadata v4, which every
    Kafka 4.x broker supports). Returns (live broker ids, controller id)."""
    client_id = b"avtal-probe"
    body = struct.pack(">i", 0) + b"\x00"  # topics: empty array; no auto-create
    header = struct.pack(">hhih", 3, 4, 7, len(client_id)) + client_id
    req = header + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(struct.pack(">i", len(req)) + req)
        (size,) = struct.unpack(">i", _read_exact(s, 4))
        data = _read_exact(s, size)
    off = 0

    def take(fmt: str):
        nonlocal off
        vals = struct.unpack_from(fmt, data, off)
        off += struct.calcsize(fmt)
        return vals

    def take_str() -> str | None:
        nonlocal off
        (n,) = take(">h")
        if n < 0:
            return None
        s = data[off : off + n].decode()
        off += n
        return s

    (corr,) = take(">i")
    if corr != 7:
        raise OSError("bad correlation id")
    take(">i")  # throttle_time_ms
    (nbrokers,) = take(">i")
    ids = []
    for _ in range(nbrokers):
        (node_id,) = take(">i")
        take_str()  # host
        take(">i")  # port
        take_str()  # rack
        ids.append(node_id)
    take_str()  # cluster id
    (controller,) = take(">i")
    return sorted(ids), controller


# --------------------------------------------------------------------------
# cluster layout


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class Cluster:
    def __init__(self, base: Path):
        self.base = base.resolve()
        state_path = self.base / STATE_FILE
        if not state_path.exists():
            raise Failure(f"no cluster in {self.base} (missing {STATE_FILE}); run start first")
        st = json.loads(state_path.read_text())
        self.nodes: int = st["nodes"]
        self.port_base: int = st["port_base"]
        self.lib = Path(st["lib"])
        self.heap: list[str] = st.get("heap", list(DEFAULT_HEAP))
        self.log_marks: dict[int, dict[str, int]] = {}

    # paths / ports
    def node_dir(self, i: int) -> Path:
        return self.base / f"node-{i}"

    def props(self, i: int) -> Path:
        return self.node_dir(i) / "server.properties"

    def pid_file(self, i: int) -> Path:
        return self.node_dir(i) / "kafka.pid"

    def broker_port(self, i: int) -> int:
        return self.port_base + i - 1

    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.broker_port(i)}" for i in self.ids())

    def ids(self) -> range:
        return range(1, self.nodes + 1)

    def check_node(self, i: int) -> None:
        if i not in self.ids():
            raise Failure(f"node must be in 1..{self.nodes}")

    # processes
    def pid(self, i: int) -> int | None:
        try:
            pid = int(self.pid_file(i).read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid, str(self.props(i))) else None

    def launch(self, i: int) -> int:
        if self.pid(i):
            raise Failure(f"node {i} is already running (pid {self.pid(i)})")
        # A node killed a moment ago may still be releasing its ports; give them time.
        ports = (self.broker_port(i), self.broker_port(i) + CONTROLLER_OFFSET)
        deadline = time.monotonic() + 20
        while busy := [port for port in ports if not port_free(port)]:
            if time.monotonic() >= deadline:
                raise Failure(f"port 127.0.0.1:{busy[0]} is in use")
            time.sleep(0.2)
        nd = self.node_dir(i)
        logs = nd / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        # where this start's lines begin, so a failure shows this start's log, not the last one's
        self.log_marks[i] = {name: _size(logs / name) for name in ("stdout.log", "server.log")}
        cmd = [
            java_bin(),
            *self.heap,
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={logs}",
            f"-Dlog4j2.configurationFile={self.base / 'log4j2.properties'}",
            "-cp",
            f"{self.lib}/*",
            "kafka.Kafka",
            str(self.props(i)),
        ]
        with open(logs / "stdout.log", "ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=nd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file(i).write_text(f"{proc.pid}\n")
        return proc.pid

    def signal_nodes(self, nodes, sig: int, timeout: float) -> list[int]:
        """Send sig to the given nodes, wait up to timeout for them to exit;
        return the nodes still alive."""
        pids = {i: self.pid(i) for i in nodes}
        for i, pid in pids.items():
            if pid:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        while True:
            left = [i for i, pid in pids.items() if pid and pid_alive(pid, str(self.props(i)))]
            if not left or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        for i, pid in pids.items():
            if i not in left:
                self.pid_file(i).unlink(missing_ok=True)
        return left

    def log_tail(self, i: int, lines: int = 30) -> str:
        """The node's log since its last launch: errors first (a CI log keeps
        only the top of a long message), then the last lines."""
        out = []
        for name in ("stdout.log", "server.log"):
            p = self.node_dir(i) / "logs" / name
            if not p.exists():
                continue
            with open(p, "rb") as f:
                f.seek(self.log_marks.get(i, {}).get(name, 0))
                text = f.read().decode(errors="replace").splitlines()
            errors = [ln for ln in text if " ERROR " in ln or " FATAL " in ln or "Exception" in ln][:10]
            if errors:
                out.append(f"--- {p} (errors)")
                out.extend(ln if len(ln) <= 400 else ln[:400] + " ..." for ln in errors)
            if text := text[-lines:]:
                out.append(f"--- {p} (last {len(text)} lines)")
                out.extend(ln if len(ln) <= 400 else ln[:400] + " ..." for ln in text)
        return "\n".join(out)

    def wait_ready(self, nodes, timeout: float) -> None:
        """Wait until every given node answers a metadata request on its broker
        port listing itself and every other running node as live (unfenced)
        brokers, plus an active controller."""
        deadline = time.monotonic() + timeout
        pending = list(nodes)
        last = {}
        while pending:
            for i in list(pending):
                if not self.pid(i):
                    raise Failure(f"node {i} exited during startup\n{self.log_tail(i)}")
                try:
                    ids, controller = metadata(self.broker_port(i))
                    last[i] = (ids, controller)
                    want = {j for j in self.ids() if self.pid(j)} | {i}
                    if want <= set(ids) and controller >= 0:
                        pending.remove(i)
                except (OSError, struct.error) as e:
                    last[i] = repr(e)
            if not pending:
                break
            if time.monotonic() >= deadline:
                detail = "\n".join(self.log_tail(i, 15) for i in pending)
                raise Failure(
                    f"timed out after {timeout:.0f}s waiting for nodes {pending} "
                    f"(last probe: {last})\n{detail}"
                )
            time.sleep(0.3)


def server_properties(i: int, nodes: int, port_base: int, data: Path, extra: list[str]) -> str:
    cport = port_base + CONTROLLER_OFFSET
    voters = ",".join(f"{n}@127.0.0.1:{cport + n - 1}" for n in range(1, nodes + 1))
    rf = nodes
    min_isr = 2 if nodes >= 3 else 1
    props = {
        "process.roles": "broker,controller",
        "node.id": str(i),
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://127.0.0.1:{port_base + i - 1},CONTROLLER://127.0.0.1:{cport + i - 1}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port_base + i - 1}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data),
        "num.partitions": "1",
        "auto.create.topics.enable": "true",
        "delete.topic.enable": "true",
        "default.replication.factor": str(rf),
        "min.insync.replicas": str(min_isr),
        "offsets.topic.replication.factor": str(rf),
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": str(rf),
        "transaction.state.log.min.isr": str(min_isr),
        "transaction.state.log.num.partitions": "10",
        "share.coordinator.state.topic.replication.factor": str(rf),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "4",
        "num.recovery.threads.per.data.dir": "1",
        "log.retention.hours": "24",
        "log.segment.bytes": str(64 * 1024 * 1024),
    }
    for kv in extra:
        if "=" not in kv:
            raise Failure(f"--set expects KEY=VALUE, got {kv!r}")
        k, v = kv.split("=", 1)
        props[k.strip()] = v.strip()
    return "# written by deploy/kafka/kafka.py\n" + "".join(f"{k}={v}\n" for k, v in props.items())


# --------------------------------------------------------------------------
# commands


def cmd_fetch(args) -> int:
    t0 = time.monotonic()
    lib = fetch()
    log(f"jars ready in {time.monotonic() - t0:.1f}s")
    print(lib)
    return 0


def cmd_start(args) -> int:
    t0 = time.monotonic()
    if args.nodes not in (1, 3):
        raise Failure("--nodes must be 1 or 3")
    base = Path(args.base_dir).resolve()
    if (base / STATE_FILE).exists():
        old = Cluster(base)
        running = [i for i in old.ids() if old.pid(i)]
        if running:
            raise Failure(f"nodes {running} already running in {base}; run stop first")
    for i in range(1, args.nodes + 1):
        for port in (args.port_base + i - 1, args.port_base + CONTROLLER_OFFSET + i - 1):
            if not port_free(port):
                raise Failure(f"port 127.0.0.1:{port} is in use (choose another --port-base)")
    lib = fetch()
    # fresh cluster: wipe what a previous start left in base
    base.mkdir(parents=True, exist_ok=True)
    for p in base.glob("node-*"):
        shutil.rmtree(p)
    (base / STATE_FILE).unlink(missing_ok=True)
    (base / "log4j2.properties").write_text(LOG4J2)
    heap = [f"-Xms{args.heap_min}", f"-Xmx{args.heap_max}"]
    state = {"nodes": args.nodes, "port_base": args.port_base, "lib": str(lib), "heap": heap}
    (base / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
    cl = Cluster(base)
    cluster_id = random_cluster_id()
    state["cluster_id"] = cluster_id
    (base / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")

    # format every node's storage (in parallel; each is a short JVM run)
    t_fmt = time.monotonic()
    procs = []
    for i in cl.ids():
        nd = cl.node_dir(i)
        (nd / "logs").mkdir(parents=True)
        cl.props(i).write_text(server_properties(i, cl.nodes, cl.port_base, nd / "data", args.set))
        cmd = [
            java_bin(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            f"-Dlog4j2.configurationFile={base / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={nd / 'logs'}",
            "-cp", f"{lib}/*", "kafka.tools.StorageTool",
            "format", "-t", cluster_id, "-c", str(cl.props(i)),
        ]  # fmt: skip
        procs.append((i, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    for i, p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise Failure(f"formatting node {i} failed:\n{out}")
    log(f"formatted {cl.nodes} node(s) in {time.monotonic() - t_fmt:.1f}s, cluster id {cluster_id}")

    try:
        for i in cl.ids():
            pid = cl.launch(i)
            log(f"node {i} started, pid {pid}, broker 127.0.0.1:{cl.broker_port(i)}")
        cl.wait_ready(cl.ids(), args.timeout)
    except BaseException:
        log("startup failed; stopping the nodes")
        cl.signal_nodes(cl.ids(), signal.SIGKILL, 10)
        raise
    log(f"cluster ready in {time.monotonic() - t0:.1f}s")
    print(cl.bootstrap(), flush=True)
    return 0


def cmd_stop(args) -> int:
    base = Path(args.base_dir).resolve()
    if not (base / STATE_FILE).exists():
        log(f"nothing to stop in {base}")
        return 0
    cl = Cluster(base)
    running = [i for i in cl.ids() if cl.pid(i)]
    if not running:
        log("no node running")
        return 0
    left = cl.signal_nodes(running, signal.SIGTERM, args.timeout)
    if left:
        log(f"nodes {left} still running after {args.timeout:.0f}s; sending SIGKILL")
        left = cl.signal_nodes(left, signal.SIGKILL, 10)
    if left:
        raise Failure(f"nodes {left} could not be stopped")
    log(f"stopped nodes {running}")
    return 0


def cmd_kill_node(args) -> int:
    cl = Cluster(Path(args.base_dir))
    cl.check_node(args.node)
    if not cl.pid(args.node):
        log(f"node {args.node} is not running")
        return 0
    sig = signal.SIGTERM if args.graceful else signal.SIGKILL
    left = cl.signal_nodes([args.node], sig, args.timeout if args.graceful else 10)
    if left and args.graceful:
        left = cl.signal_nodes(left, signal.SIGKILL, 10)
    if left:
        raise Failure(f"node {args.node} could not be stopped")
    log(f"node {args.node} {'stopped' if args.graceful else 'killed'}")
    return 0


def cmd_start_node(args) -> int:
    t0 = time.monotonic()
    cl = Cluster(Path(args.base_dir))
    cl.check_node(args.node)
    for attempt in range(1, 4):
        pid = cl.launch(args.node)
        log(f"node {args.node} started, pid {pid}")
        try:
            cl.wait_ready([args.node], args.timeout)
            break
        except Failure as e:
            cl.signal_nodes([args.node], signal.SIGKILL, 10)
            # A port or the data directory taken for a moment (by a client's
            # ephemeral port, or the previous process's last threads) passes.
            transient = any(s in str(e) for s in ("Address already in use", "Failed to acquire lock"))
            if attempt == 3 or not transient or "exited during startup" not in str(e):
                raise
            log(f"node {args.node} exited during startup (attempt {attempt}); starting it again:\n{e}")
            time.sleep(2)
        except BaseException:
            cl.signal_nodes([args.node], signal.SIGKILL, 10)
            raise
    log(f"node {args.node} ready in {time.monotonic() - t0:.1f}s")
    print(cl.bootstrap(), flush=True)
    return 0


def cmd_status(args) -> int:
    cl = Cluster(Path(args.base_dir))
    up = 0
    for i in cl.ids():
        pid = cl.pid(i)
        state = "down"
        if pid:
            up += 1
            try:
                ids, ctrl = metadata(cl.broker_port(i))
                state = f"up, pid {pid}, live brokers {ids}, controller {ctrl}"
            except (OSError, struct.error) as e:
                state = f"running, pid {pid}, not answering ({e})"
        log(f"node {i} 127.0.0.1:{cl.broker_port(i)}: {state}")
    print(cl.bootstrap())
    return 0 if up == cl.nodes else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    sub.add_parser("fetch", help="fetch the Kafka jars with Maven (idempotent); prints the lib folder")

    p = sub.add_parser("start", help="format and start a fresh cluster in --base-dir")
    p.add_argument("--nodes", type=int, choices=(1, 3), default=1)
    p.add_argument("--base-dir", required=True)
    p.add_argument("--port-base", type=int, default=DEFAULT_PORT_BASE,
                   help=f"first broker port (default {DEFAULT_PORT_BASE}); controllers use +{CONTROLLER_OFFSET}")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for readiness")
    p.add_argument("--heap-min", default=DEFAULT_HEAP[0][4:])
    p.add_argument("--heap-max", default=DEFAULT_HEAP[1][4:])
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="extra/overriding server.properties entry (repeatable)")  # fmt: skip

    p = sub.add_parser("stop", help="stop all nodes (SIGTERM, then SIGKILL)")
    p.add_argument("--base-dir", required=True)
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before SIGKILL")

    p = sub.add_parser("kill-node", help="SIGKILL one node (or SIGTERM with --graceful)")
    p.add_argument("--base-dir", required=True)
    p.add_argument("--node", type=int, required=True)
    p.add_argument("--graceful", action="store_true")
    p.add_argument("--timeout", type=float, default=30.0)

    p = sub.add_parser("start-node", help="restart one node with its existing data")
    p.add_argument("--base-dir", required=True)
    p.add_argument("--node", type=int, required=True)
    p.add_argument("--timeout", type=float, default=120.0)

    p = sub.add_parser("status", help="show the nodes; exit 1 unless all are up")
    p.add_argument("--base-dir", required=True)

    args = ap.parse_args(argv)
    # turn SIGTERM into SystemExit so a killed `start` still cleans up its nodes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    handler = {
        "fetch": cmd_fetch,
        "start": cmd_start,
        "stop": cmd_stop,
        "kill-node": cmd_kill_node,
        "start-node": cmd_start_node,
        "status": cmd_status,
    }[args.cmd]
    try:
        return handler(args)
    except Failure as e:
        log(f"error: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
