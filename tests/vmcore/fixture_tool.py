#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side helpers of make-fixture.sh (standard library only).

  qmp-dump SOCKET KDUMP_FLAT ELF    dump guest memory twice, then quit QEMU
  check-symbols EXPECTED NM_OUTPUT  every testmod name in EXPECTED is a symbol
  layouts GDB_OUTPUT                 parse `ptype /o` output into JSON
  truth --serial LOG ... --out OUT  merge the guest's TRUTH lines with static
                                    facts into truth.json
"""
import argparse
import json
import os
import re
import socket
import sys

SCHEMA = 1


def fail(msg):
    print(f"fixture_tool: {msg}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- QMP

class QMP:
    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self._read()  # greeting
        self.command("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(f"{name}: {reply['error']}")
            return reply.get("return")


def cmd_qmp_dump(a):
    try:
        q = QMP(a.socket, a.timeout)
        # dump-guest-memory blocks (detach defaults to false) until written
        q.command("dump-guest-memory", paging=False,
                  protocol="file:" + os.path.abspath(a.kdump),
                  format="kdump-zlib")
        q.command("dump-guest-memory", paging=False,
                  protocol="file:" + os.path.abspath(a.elf))
        try:
            q.command("quit")
        except (ConnectionError, OSError):
            pass  # QEMU may close the socket before answering
    except (OSError, RuntimeError, ValueError) as e:
        fail(f"QMP: {e}")


# ------------------------------------------------------ testmod symbols

def expected_names(expected):
    return [k for k in expected["globals"]]


def cmd_check_symbols(a):
    with open(a.expected) as f:
        expected = json.load(f)
    syms = set()
    with open(a.nm) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                syms.add(parts[-1])
    missing = [n for n in expected_names(expected) if n not in syms]
    for fn in expected.get("functions", {}):
        if fn not in syms:
            missing.append(fn)
    if missing:
        fail("testmod.ko lacks symbols listed in expected.json: "
             + ", ".join(missing))


# ---------------------------------------------------------- layouts

_member = re.compile(r"^/\*\s+(\d+)(?::\s*(\d+))?\s+\|\s+(\d+)\s+\*/\s+(.*)$")
# a union's member: its offset is the union's
_union_member = re.compile(r"^/\*\s+(\d+)\s+\*/\s+(.*)$")
_header = re.compile(
    r"^/\* offset\s+\|\s+size \*/\s+type = (struct|union) (\S+) \{$")
_total = re.compile(r"^\s*/\* total size \(bytes\):\s+(\d+) \*/$")
_close = re.compile(r"^\s*\}\s*(\w*)((?:\[\d*\])*);$")


def _member_name(decl):
    m = re.search(r"\(\*+\s*(\w+)\)", decl)  # function pointer
    if m:
        return m.group(1)
    decl = decl.split(":")[0].strip()
    return re.sub(r"\[.*$", "", decl.split()[-1]).lstrip("*")


def parse_layouts(text):
    """`ptype /o struct X` output -> {X: {kind, size, fields: [...]}}.

    Every member at any depth is listed with its dotted path (anonymous
    struct/union levels add no path component, as in C), byte offset from
    the start of X, size, and for bitfields the bit position within that
    byte (`bit`) and width (`bits`).  Nested aggregates are listed too, with
    `aggregate: true`.
    """
    result = {}
    root = None
    stack = []  # frames: {"offset", "union", "fields", "decl", "size"}
    for raw in text.splitlines():
        line = raw.rstrip()
        m = _header.match(line)
        if m:
            root = {"offset": 0, "union": m.group(1) == "union", "fields": []}
            stack = [root]
            result[m.group(2)] = {"kind": m.group(1), "fields": root["fields"]}
            name = m.group(2)
            continue
        if not stack:
            continue
        frame = stack[-1]
        m = _total.match(line)
        if m:
            frame["size"] = int(m.group(1))
            if frame is root:
                result[name]["size"] = int(m.group(1))
            continue
        m = _close.match(line)
        if m and len(stack) > 1:
            stack.pop()
            member, dims = m.group(1), m.group(2)
            parent = stack[-1]
            if member:
                tdecl = frame["decl"]
                # anonymous type, named member
                if tdecl in ("struct", "union"):
                    tdecl += " {...}"
                parent["fields"].append({"path": member,
                                         "offset": frame["offset"],
                                         "size": frame.get("size"),
                                         "decl": tdecl + " " + member + dims,
                                         "aggregate": True})
            for f in frame["fields"]:
                if member:
                    f["path"] = member + "." + f["path"]
                parent["fields"].append(f)
            continue
        if line.strip() == "}" and len(stack) == 1:
            stack = []
            continue
        m = _member.match(line)
        if m:
            off, bit, size, decl = (int(m.group(1)), m.group(2),
                                    int(m.group(3)), m.group(4))
        else:
            m = _union_member.match(line)
            if not m:
                continue  # holes, padding, blank lines
            off, bit, size, decl = (frame["offset"], None,
                                    int(m.group(1)), m.group(2))
        decl = decl.strip()
        if decl.endswith("{"):
            stack.append({"offset": off, "union": decl.startswith("union"),
                          "fields": [], "decl": decl[:-1].strip(),
                          "size": size})
            continue
        decl = decl.rstrip(";")
        ent = {"path": _member_name(decl), "offset": off, "size": size,
               "decl": decl}
        if bit is not None:
            ent["bit"] = int(bit)
            bm = re.search(r":\s*(\d+)$", decl)
            if bm:
                ent["bits"] = int(bm.group(1))
        frame["fields"].append(ent)
    return result


def cmd_layouts(a):
    with open(a.gdb_output) as f:
        json.dump(parse_layouts(f.read()), sys.stdout, indent=1,
                  sort_keys=True)
    print()


# ------------------------------------------------------------ truth

def read_serial_truth(path):
    lines, count, begun = [], None, False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("TRUTH-BEGIN"):
                lines, begun = [], True
            elif line.startswith("TRUTH-END"):
                count = int(line.split()[1])
                break
            elif begun and line.startswith("TRUTH "):
                lines.append(line[len("TRUTH "):])
    if count is None:
        fail(f"no TRUTH-BEGIN/TRUTH-END block in {path}")
    if count != len(lines):
        fail(f"{path}: TRUTH-END says {count} lines, got {len(lines)} "
             "(console output interleaved?)")
    out = {}
    for n, text in enumerate(lines, 1):
        try:
            rec = json.loads(text)
        except ValueError as e:
            fail(f"{path}: TRUTH line {n} is not JSON ({e}): {text[:200]}")
        sec = rec["section"]
        if "item" in rec:
            out.setdefault(sec, []).append(rec["item"])
        else:
            out.setdefault(sec, {}).update(rec["set"])
    return out


def cmd_truth(a):
    guest = read_serial_truth(a.serial)
    with open(a.expected) as f:
        expected = json.load(f)
    with open(a.static) as f:
        static = json.load(f)
    layouts = {}
    if a.layouts:
        with open(a.layouts) as f:
            layouts = json.load(f)

    tasks = sorted(guest.pop("tasks", []), key=lambda t: t["pid"])
    truth = {
        "schema": SCHEMA,
        "kernel": static["kernel"],
        "files": static["files"],
        "system": guest.pop("system", {}),
        "panic": guest.pop("panic", {}),
        "tasks": tasks,
        "sockets": guest.pop("sockets", []),
        "open_files": guest.pop("open_files", []),
        "interfaces": guest.pop("interfaces", []),
        "routes": guest.pop("routes", []),
        "fs": {"files": guest.pop("files", []), **static.get("fs", {})},
        "modules": static.get("modules", {}),
        "testmod": expected,
        "testmod_layouts": layouts,
        "raw": guest.pop("raw", {}),
    }
    if "big_sockets" in guest:
        truth["big_sockets"] = guest.pop("big_sockets")
    truth.update(guest)  # sections added later to scenario.c still land
    truth["system"]["hostname"] = truth["system"].get("nodename")
    truth["modules"]["proc_modules"] = truth["raw"].get("proc_modules", [])

    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(truth, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, a.out)


def main():
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("qmp-dump")
    s.add_argument("socket")
    s.add_argument("kdump")
    s.add_argument("elf")
    s.add_argument("--timeout", type=float, default=900)
    s.set_defaults(func=cmd_qmp_dump)
    s = sub.add_parser("check-symbols")
    s.add_argument("expected")
    s.add_argument("nm")
    s.set_defaults(func=cmd_check_symbols)
    s = sub.add_parser("layouts")
    s.add_argument("gdb_output")
    s.set_defaults(func=cmd_layouts)
    s = sub.add_parser("truth")
    s.add_argument("--serial", required=True)
    s.add_argument("--expected", required=True)
    s.add_argument("--static", required=True)
    s.add_argument("--layouts")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_truth)
    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
