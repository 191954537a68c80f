"""--platform from flags and the official SDKs' variables, startup refusals that name what to set or install,
doctor's platform section (never a secret), and model ids in another platform's form on Anthropic's API."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from claude_api_mcp.cli.doctor import run_doctor
from claude_api_mcp.cli.flags import parser
from claude_api_mcp.cli.main import ConfigError, main, settings_from
from claude_api_mcp.client.platforms import summary
from claude_api_mcp.core.config import Settings
from claude_api_mcp.core.platform_config import PlatformConfig, PlatformName
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_error
from tests.platform_helpers import HELLO


@pytest.fixture(autouse=True)
def no_aws_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """botocore reads ~/.aws and AWS_* from the process environment: keep this machine's out of the tests."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "no-adc.json"))


def settings(argv: list[str], env: dict[str, str]) -> Settings:
    return settings_from(parser().parse_args(argv), env)


def test_each_platform_reads_the_official_sdks_variables() -> None:
    bedrock = settings(
        ["--platform", "bedrock"],
        {"AWS_DEFAULT_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "AKIAX", "AWS_SECRET_ACCESS_KEY": "s3cr3t"},
    ).platform
    vertex = settings(
        [], {"CLAUDE_API_MCP_PLATFORM": "vertex", "CLOUD_ML_REGION": "us", "GOOGLE_CLOUD_PROJECT": "proj-1"}
    ).platform
    foundry = settings(
        ["--platform", "foundry"],
        {"ANTHROPIC_FOUNDRY_API_KEY": "k", "ANTHROPIC_FOUNDRY_BASE_URL": "https://x.example/anthropic/"},
    ).platform
    assert bedrock is not None and bedrock.endpoint() == "https://bedrock-runtime.eu-central-1.amazonaws.com"
    assert bedrock.aws_secret_access_key is not None and "s3cr3t" not in repr(bedrock)
    assert vertex is not None and vertex.endpoint() == "https://aiplatform.us.rep.googleapis.com/v1"
    assert vertex.project == "proj-1"
    assert foundry is not None and foundry.endpoint() == "https://x.example/anthropic" and foundry.resource is None
    assert settings([], {}).platform is None  # anthropic, the default
    with pytest.raises(ConfigError, match="anthropic, bedrock, vertex, foundry"):
        settings([], {"CLAUDE_API_MCP_PLATFORM": "azure"})


@pytest.mark.parametrize(
    ("argv", "env", "says"),
    [
        (["--platform", "bedrock"], {}, "set AWS_REGION"),
        (["--platform", "vertex"], {"ANTHROPIC_VERTEX_PROJECT_ID": "p"}, "set CLOUD_ML_REGION"),
        (["--platform", "vertex"], {"CLOUD_ML_REGION": "global"}, "set ANTHROPIC_VERTEX_PROJECT_ID"),
        (["--platform", "foundry"], {"ANTHROPIC_FOUNDRY_API_KEY": "k"}, "set ANTHROPIC_FOUNDRY_RESOURCE"),
    ],
)
def test_startup_refuses_a_platform_without_its_region_project_or_endpoint(
    argv: list[str], env: dict[str, str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, env=env) == 2
    assert says in capsys.readouterr().err


@pytest.mark.parametrize(
    ("platform", "module", "env"),
    [
        ("bedrock", "botocore", {"AWS_REGION": "us-east-1"}),
        ("vertex", "google.auth", {"CLOUD_ML_REGION": "global", "ANTHROPIC_VERTEX_PROJECT_ID": "p"}),
    ],
)
def test_a_missing_platform_library_names_the_extra_to_install(
    platform: str,
    module: str,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if the extra were not installed
    assert main(["--platform", platform], env=env) == 2
    assert f"pip install 'claude-api-mcp[{platform}]'" in capsys.readouterr().err


def test_a_bedrock_api_key_or_a_vertex_access_token_needs_no_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "botocore", None)
    monkeypatch.setitem(sys.modules, "google.auth", None)
    bedrock = PlatformConfig(name=PlatformName.BEDROCK, region="us-east-1", token=object())  # type: ignore[arg-type]
    vertex = PlatformConfig(name=PlatformName.VERTEX, region="us", project="p", token=object())  # type: ignore[arg-type]
    assert bedrock.problem() is None and vertex.problem() is None


def test_doctor_explains_the_platform_without_printing_a_secret() -> None:
    secret, token = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl"
    env = {"AWS_REGION": "ap-southeast-2", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": secret}
    out = io.StringIO()
    run_doctor(settings(["--platform", "bedrock"], env), out=out)
    text = out.getvalue()
    assert "Platform: Amazon Bedrock" in text and "region: ap-southeast-2" in text
    assert "endpoint: https://bedrock-runtime.ap-southeast-2.amazonaws.com" in text
    assert "AWS credentials via env" in text and "not listed: list_models" in text and "count_tokens" in text
    assert secret not in text and "AKIAIOSFODNN7EXAMPLE" not in text
    out = io.StringIO()
    run_doctor(
        settings(["--platform", "bedrock"], {"AWS_REGION": "us-east-1", "AWS_BEARER_TOKEN_BEDROCK": token}), out=out
    )
    assert "a Bedrock API key from AWS_BEARER_TOKEN_BEDROCK" in out.getvalue() and token not in out.getvalue()


def test_doctor_fails_vertex_without_application_default_credentials() -> None:
    out = io.StringIO()
    code = run_doctor(
        settings(["--platform", "vertex"], {"CLOUD_ML_REGION": "europe-west4", "ANTHROPIC_VERTEX_PROJECT_ID": "p"}),
        out=out,
    )
    assert code == 1 and "gcloud auth application-default login" in out.getvalue()
    assert "endpoint: https://europe-west4-aiplatform.googleapis.com/v1" in out.getvalue()


def test_the_summary_says_which_core_tools_a_platform_serves_and_why_not_the_others() -> None:
    lines = summary(
        PlatformConfig(name=PlatformName.FOUNDRY, resource="r"),
        ["list_models", "send_message", "count_tokens", "upload_file"],
    )
    assert lines[0].endswith("serves send_message, count_tokens")
    assert lines[1].startswith("not listed: list_models, upload_file; Microsoft Foundry serves only")


@pytest.mark.anyio
async def test_anthropics_api_refuses_a_bedrock_or_vertex_model_id_before_calling(
    connect: Connect, sandbox: Sandbox
) -> None:
    async with connect() as client:
        arn = await call_error(
            client,
            "send_message",
            {
                "model": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
                "max_tokens": 5,
                "messages": HELLO,
            },
        )
        at = await call_error(client, "count_tokens", {"model": "claude-sonnet-4-5@20250929", "messages": HELLO})
    assert "Amazon Bedrock's model id form" in arn and "--platform bedrock" in arn
    assert "Google Vertex AI's model id form" in at and "claude-sonnet-4-5-20250929" in at
    assert list(sandbox.requests) == []


def test_the_bundles_platform_settings_reach_the_server() -> None:
    from tests.e2e.test_manifest import resolved_settings

    foundry = resolved_settings({"platform": "foundry", "foundry_resource": "acme", "foundry_api_key": "k-1"}).platform
    bedrock = resolved_settings({"platform": "bedrock", "region": "eu-west-3", "bedrock_api_key": "ABSK-1"}).platform
    vertex = resolved_settings({"platform": "vertex", "region": "us", "vertex_project": "proj"}).platform
    assert foundry is not None and foundry.endpoint() == "https://acme.services.ai.azure.com/anthropic"
    assert foundry.token is not None and foundry.token.reveal() == "k-1"
    assert bedrock is not None and bedrock.region == "eu-west-3" and bedrock.token is not None
    assert vertex is not None and vertex.endpoint() == "https://aiplatform.us.rep.googleapis.com/v1"
    assert resolved_settings({}).platform is None


@pytest.mark.anyio
async def test_behind_a_custom_base_url_a_platform_form_model_id_is_left_to_the_gateway(sandbox: Sandbox) -> None:
    from mcp import Client

    from claude_api_mcp.app.assemble import build_server
    from claude_api_mcp.core.config import Profile
    from claude_api_mcp.core.secret import Secret
    from claude_api_mcp.sandbox import SANDBOX_API_KEY

    gateway = Settings(
        api_key=Secret(SANDBOX_API_KEY), base_url="https://llm-gateway.example.com", profile=Profile.ADMIN
    )
    async with Client(build_server(gateway, transport=sandbox.transport())) as client:
        result = await client.call_tool(
            "send_message", {"model": "anthropic.claude-sonnet-4-5-20250929-v1:0", "max_tokens": 5, "messages": HELLO}
        )
    # Sent (the sandbox then says the model does not exist), not refused as a Bedrock id.
    assert result.is_error and "Bedrock" not in result.content[0].text  # type: ignore[union-attr]
    assert [r.path for r in sandbox.requests] == ["/v1/messages"]
