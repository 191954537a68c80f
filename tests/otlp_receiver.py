"""A real OTLP/HTTP receiver for tests: accepts protobuf exports at /v1/traces and /v1/metrics and decodes them
with the OpenTelemetry protocol's own message types. Also keeps the raw bytes, to scan for what must not leak."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Span:
    name: str
    kind: int
    trace_id: bytes
    span_id: bytes
    parent_id: bytes
    attributes: dict[str, Any]
    status: int
    service: str


@dataclass
class Received:
    spans: list[Span] = field(default_factory=list)
    metrics: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # name -> data points' attributes
    raw: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, predicate: Any, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(self):
                    return True
            time.sleep(0.1)
        return False


def _value(v: Any) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return tuple(_value(x) for x in v.array_value.values)
    return getattr(v, kind) if kind else None


def _attrs(items: Any) -> dict[str, Any]:
    return {a.key: _value(a.value) for a in items}


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, Received]]:
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
        ExportMetricsServiceRequest,
        ExportMetricsServiceResponse,
    )
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
        ExportTraceServiceResponse,
    )

    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with received.lock:
                received.raw.append(body)
                if self.path == "/v1/traces":
                    request = ExportTraceServiceRequest.FromString(body)
                    for rs in request.resource_spans:
                        service = _attrs(rs.resource.attributes).get("service.name", "")
                        for ss in rs.scope_spans:
                            for s in ss.spans:
                                received.spans.append(
                                    Span(
                                        s.name,
                                        s.kind,
                                        s.trace_id,
                                        s.span_id,
                                        s.parent_span_id,
                                        _attrs(s.attributes),
                                        s.status.code,
                                        service,
                                    )
                                )
                    reply = ExportTraceServiceResponse().SerializeToString()
                else:
                    request = ExportMetricsServiceRequest.FromString(body)
                    for rm in request.resource_metrics:
                        for sm in rm.scope_metrics:
                            for m in sm.metrics:
                                kind = m.WhichOneof("data")
                                points = getattr(m, kind).data_points if kind else []
                                received.metrics.setdefault(m.name, []).extend(_attrs(p.attributes) for p in points)
                    reply = ExportMetricsServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", received
    finally:
        server.shutdown()
        server.server_close()
