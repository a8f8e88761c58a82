#!/usr/bin/python3
"""A proxyless gRPC client on gRPC C-core (Debian's python3-grpcio), driven over
stdin/stdout with the same JSON-lines protocol as grpc-js-xds-client.mjs:

  {"id":1,"op":"call","target":T,"count":N,"metadata":{..},"timeoutMs":5000,"concurrency":10}
  -> {"id":1,"event":"result","ok":N,"byBackend":{..},"errors":{..},"details":{..}}

(no "loop": the tests that need it run on grpc-js only). C-core reads its xDS bootstrap
from the file named by GRPC_XDS_BOOTSTRAP. It prints {"event":"ready"} once grpc is
imported, and exits when stdin closes. No generated code: the messages are encoded by hand
(see test/fixtures/echo.proto).
"""
import json
import os
import sys

try:
    import grpc
except ImportError as e:  # the test turns this into a failure that says what to install
    sys.stdout.write(json.dumps({
        "event": "fatal",
        "message": f"python grpc is missing ({e}): run `apt-get install -y python3-grpcio` "
                   "and use /usr/bin/python3",
    }) + "\n")
    sys.stdout.flush()
    sys.exit(3)

METHOD = "/echo.Echo/Whoami"


def serialize(_request):
    # WhoamiRequest has no fields: its encoding is empty.
    return b""


def deserialize(data):
    # WhoamiResponse { string name = 1 }: tag 0x0a, varint length, UTF-8 bytes.
    if not data:
        return ""
    if data[0] != 0x0A:
        return f"<unexpected tag {data[0]}>"
    length, shift, i = 0, 0, 1
    while i < len(data):
        b = data[i]
        length |= (b & 0x7F) << shift
        shift += 7
        i += 1
        if not b & 0x80:
            break
    return data[i:i + length].decode("utf-8")


# One channel per target for the life of the process, so xDS updates reach the channel
# the test keeps calling, as in a real application.
_callables = {}


def callable_for(target):
    c = _callables.get(target)
    if c is None:
        channel = grpc.insecure_channel(target)
        c = channel.unary_unary(METHOD, request_serializer=serialize,
                                response_deserializer=deserialize)
        _callables[target] = c
    return c


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run_calls(cmd):
    count = int(cmd.get("count", 1))
    concurrency = max(1, min(int(cmd.get("concurrency", 10)), count))
    timeout = float(cmd.get("timeoutMs", 5000)) / 1000.0
    metadata = tuple((k.lower(), str(v)) for k, v in (cmd.get("metadata") or {}).items())
    stub = callable_for(cmd["target"])
    result = {"ok": 0, "byBackend": {}, "errors": {}, "details": {}}

    def settle(fut):
        try:
            name = fut.result()
            result["ok"] += 1
            result["byBackend"][name] = result["byBackend"].get(name, 0) + 1
        except grpc.RpcError as err:
            code = err.code().name if err.code() is not None else "UNKNOWN"
            result["errors"][code] = result["errors"].get(code, 0) + 1
            result["details"].setdefault(code, err.details() or "")

    # Keep `concurrency` calls in flight; C-core runs them on its own threads.
    in_flight = []
    for _ in range(count):
        if len(in_flight) >= concurrency:
            settle(in_flight.pop(0))
        in_flight.append(stub.future(None, timeout=timeout, metadata=metadata))
    for fut in in_flight:
        settle(fut)
    send({"id": cmd.get("id"), "event": "result", **result})


def main():
    send({"event": "ready", "pid": os.getpid(), "grpc": grpc.__version__})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
        except ValueError as e:
            send({"event": "error", "message": f"bad command: {e}"})
            continue
        try:
            if cmd.get("op") == "call":
                run_calls(cmd)
            else:
                send({"id": cmd.get("id"), "event": "error",
                      "message": f"unsupported op {cmd.get('op')}"})
        except Exception as e:  # report, keep serving: the test decides what is fatal
            send({"id": cmd.get("id"), "event": "error", "message": repr(e)})
    # stdin closed: the test is gone. os._exit skips waiting for C-core's threads.
    os._exit(0)


if __name__ == "__main__":
    main()
