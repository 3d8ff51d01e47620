"""Two gaps next to test_template.py's policy checks: a data resource written as a wildcard
ARN pattern (``arn:...:table/*`` passes a check for a bare "*"), and log settings that would
write request headers (x-api-key) or prompts into CloudWatch."""

from __future__ import annotations

import json

import pytest

from infra.tables import load_template
from tests.integration.test_template import TEMPLATE, _as_list, _statements, cloudformation  # noqa: F401

DATA_SERVICES = {"dynamodb", "sqs", "secretsmanager", "ssm", "kms", "s3"}


@pytest.mark.sam
def test_no_data_resource_is_a_wildcard_pattern(cloudformation):
    # Given every statement of every generated role that acts on a data service
    data = [(role, st) for role, st in _statements(cloudformation)
            if any(a.split(":")[0] in DATA_SERVICES for a in _as_list(st["Action"]))]
    assert data
    # Then each names its resources exactly: no "*" anywhere in the ARN or its Sub template
    # (except the objects under one key prefix of the paper-text bucket: S3 grants objects by pattern)
    for role, st in data:
        assert "*" not in json.dumps(st["Resource"]).replace("${PaperTextBucket.Arn}/papertext/*", ""), (role, st)


def test_no_function_logs_events_or_debug_in_the_deployed_template():
    # Given the environment each function gets (globals overlaid by its own)
    template = load_template(TEMPLATE)
    base = template["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    functions = {name: res for name, res in template["Resources"].items() if res["Type"] == "AWS::Serverless::Function"}
    assert functions
    for name, res in functions.items():
        env = base | res["Properties"].get("Environment", {}).get("Variables", {})
        # Then none logs whole events (headers carry x-api-key) or runs at DEBUG
        assert str(env.get("POWERTOOLS_LOGGER_LOG_EVENT", "false")).lower() != "true", name
        assert str(env.get("POWERTOOLS_LOG_LEVEL", "INFO")).upper() != "DEBUG", name
        assert "OPENAI_LOG" not in env and "OPENAI_API_KEY" not in env, name
