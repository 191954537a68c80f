"""The OpenTelemetry SDK side of ``telemetry``: providers, OTLP exporters, the scrubbing exporter, the upstream
span and the duration metric. Imported only when ``OTEL_*`` asks for telemetry (``telemetry.setup``)."""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.types import CallToolResult
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, Status, StatusCode

from claude_api_mcp.app import span_names
from claude_api_mcp.app.tool_index import indexed_tools
from claude_api_mcp.core import scrub
from claude_api_mcp.core.config import ConfigError

TRACER = "claude-api-mcp"
KNOWN_TOOLS = frozenset(t.name for t in indexed_tools())
# The semantic conventions' bucket boundaries for mcp.server.operation.duration (seconds).
DURATION_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)


@dataclass
class Installed:
    instruments: OtelInstruments
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()  # flushes what is still batched
        self.meter_provider.shutdown()


def install(env: Mapping[str, str], service: str) -> Installed:
    resource = Resource.create({"service.name": env.get("OTEL_SERVICE_NAME") or service, "process.pid": os.getpid()})
    span_exporter, metric_exporter = _exporters(env)
    tracer_provider = TracerProvider(resource=resource)
    if span_exporter is not None:
        tracer_provider.add_span_processor(BatchSpanProcessor(ScrubbingExporter(span_exporter)))
    readers = [PeriodicExportingMetricReader(metric_exporter)] if metric_exporter is not None else []
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    return Installed(OtelInstruments(tracer_provider, meter_provider), tracer_provider, meter_provider)


def _exporters(env: Mapping[str, str]) -> tuple[SpanExporter | None, Any]:
    protocol = env.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    traces, metrics_kind = env.get("OTEL_TRACES_EXPORTER", "otlp"), env.get("OTEL_METRICS_EXPORTER", "otlp")
    for name, value in (("OTEL_TRACES_EXPORTER", traces), ("OTEL_METRICS_EXPORTER", metrics_kind)):
        if value not in ("otlp", "console", "none"):
            raise ConfigError(f"{name}={value!r} is not supported here: use otlp, console or none")
    packages = {
        "grpc": "opentelemetry-exporter-otlp-proto-grpc",
        "http/protobuf": "opentelemetry-exporter-otlp-proto-http",
    }
    protocol = "http/protobuf" if protocol == "http" else protocol
    if protocol not in packages:
        raise ConfigError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r} is not supported: use http/protobuf or grpc")
    base = "opentelemetry.exporter.otlp.proto." + protocol.split("/")[0]
    try:
        otlp_span = importlib.import_module(base + ".trace_exporter").OTLPSpanExporter
        otlp_metric = importlib.import_module(base + ".metric_exporter").OTLPMetricExporter
    except ModuleNotFoundError:
        raise ConfigError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol} needs pip install {packages[protocol]}") from None
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    span = {"otlp": otlp_span, "console": ConsoleSpanExporter}.get(traces)
    metric = {"otlp": otlp_metric, "console": ConsoleMetricExporter}.get(metrics_kind)
    return (span() if span else None), (metric() if metric else None)


class ScrubbingExporter(SpanExporter):
    """Every span's name, attributes, events and status through the one scrubber before it leaves."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([_scrubbed(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def _scrubbed(span: ReadableSpan) -> ReadableSpan:
    status = span.status
    if status.description:
        status = Status(status.status_code, scrub.text(status.description))
    return ReadableSpan(
        name=scrub.text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_attributes(span.attributes),
        events=[Event(scrub.text(e.name), _attributes(e.attributes), e.timestamp) for e in span.events],
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        if isinstance(value, str):
            out[key] = scrub.text(value)
        elif isinstance(value, tuple | list):
            out[key] = tuple(scrub.text(v) if isinstance(v, str) else v for v in value)
        else:
            out[key] = value
    return out


class TracedTransport(httpx.AsyncBaseTransport):
    """A client span per upstream request: method, route template, status, the API's request id, resends."""

    def __init__(self, inner: httpx.AsyncBaseTransport, tracer: trace.Tracer) -> None:
        self.inner, self.tracer = inner, tracer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = span_names.route_template(request.url.path)
        attributes: dict[str, Any] = {
            "http.request.method": request.method,
            "url.template": route,
            "server.address": request.url.host,
            "url.scheme": request.url.scheme,
        }
        if resends := span_names.resend_count(request):
            attributes["http.request.resend_count"] = resends
        with self.tracer.start_as_current_span(
            f"{request.method} {route}", kind=SpanKind.CLIENT, attributes=attributes, record_exception=False
        ) as span:
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.HTTPError as exc:
                span.set_attribute("error.type", type(exc).__name__)
                span.set_status(StatusCode.ERROR, type(exc).__name__)
                raise
            span.set_attribute("http.response.status_code", response.status_code)
            if request_id := response.headers.get("request-id"):
                span.set_attribute("http.response.header.request-id", (request_id[:200],))
            if response.status_code >= 400:
                span.set_attribute("error.type", str(response.status_code))
                span.set_status(StatusCode.ERROR)
            return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class OperationDuration(ServerMiddleware[Any]):
    """``mcp.server.operation.duration`` for every MCP request, and the per-call resend counter's scope."""

    def __init__(self, meter: metrics.Meter) -> None:
        self.histogram = meter.create_histogram(
            "mcp.server.operation.duration",
            unit="s",
            description="Duration of MCP requests on the server",
            explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS),
        )

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        attributes: dict[str, Any] = {"mcp.method.name": ctx.method}
        name = ctx.params.get("name") if ctx.params else None
        if ctx.method == "tools/call":  # a label from our own registry only: a client's made-up names count as one
            attributes["gen_ai.tool.name"] = name if name in KNOWN_TOOLS else "unknown"
        token = span_names.SENT.set({})
        started = time.perf_counter()
        try:
            result = await call_next(ctx)
            if isinstance(result, CallToolResult) and result.is_error:
                attributes["error.type"] = "tool_error"
            return result
        except Exception as exc:
            attributes["error.type"] = type(exc).__name__
            raise
        finally:
            span_names.SENT.reset(token)
            self.histogram.record(span_names.elapsed(started), attributes)


class OtelInstruments:
    def __init__(self, tracer_provider: TracerProvider, meter_provider: MeterProvider) -> None:
        self.tracer = tracer_provider.get_tracer(TRACER)
        self.meter = meter_provider.get_meter(TRACER)
        self.confirmations = self.meter.create_counter("claude_api_mcp.confirmations", description="by outcome")

    def middleware(self) -> list[Any]:
        return [OperationDuration(self.meter)]

    def observe_client(self, client: httpx.AsyncClient) -> None:
        client._transport = TracedTransport(client._transport, self.tracer)
        client._mounts = {k: TracedTransport(v, self.tracer) if v else v for k, v in client._mounts.items()}

    def confirmation(self, outcome: str) -> None:
        self.confirmations.add(1, {"outcome": outcome})
