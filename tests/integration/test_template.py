"""template.yaml as AWS will see it: the SAM tools accept it, `sam build` produces artifacts
that import and answer with only the layer on the path, and the policies, limits and queue
settings that keep a deployed stack safe and cheap hold (checked on the parsed YAML and on
the CloudFormation that the SAM transform generates)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infra.tables import load_template

pytestmark = pytest.mark.sam

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAM_BIN = ROOT / ".venv-sam" / "bin"
SAM, CFN_LINT, SAM_PY = SAM_BIN / "sam", SAM_BIN / "cfn-lint", SAM_BIN / "python"
PYENV_VERSIONS = "3.11.7:3.12.1:3.13.0"
RUNTIME = "python3.13"
FUNCTIONS = ("ApiFunction", "WorkerFunction", "DigestWarmFunction")
ROUTES = {("POST", "/v1/summaries"), ("GET", "/v1/summaries/{paper_id+}"), ("POST", "/v1/digests"),
          ("GET", "/v1/health"), ("POST", "/v1/questions"), ("GET", "/v1/questions/{question_id}")}
ELF_MACHINE = {183: "aarch64", 62: "x86_64"}
ARCH_OF = {"arm64": "aarch64", "x86_64": "x86_64"}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "PYTHON"))}
    env.update(AWS_DEFAULT_REGION="us-east-1", SAM_CLI_TELEMETRY="0", PYENV_VERSION=PYENV_VERSIONS, **extra)
    return env


def _run(args: list, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kw)


def _python313() -> str | None:
    """A real python3.13 (the Lambda runtime's version): the pyenv one, or one on PATH."""
    found = _run(["python3.13", "-c", "import sys; print(sys.executable)"], env=_env(), cwd=ROOT) \
        if shutil.which("python3.13") else None
    if found is not None and found.returncode == 0:
        return found.stdout.strip()
    pyenv = Path.home() / ".pyenv/versions/3.13.0/bin/python3.13"
    return str(pyenv) if pyenv.exists() else None


# ---------------------------------------------------------------------------- parsed template

@pytest.fixture(scope="module")
def template() -> dict:
    return load_template(TEMPLATE)


def _defaults(template: dict) -> dict:
    return {name: p.get("Default") for name, p in template["Parameters"].items()}


def _value(template: dict, value, conditions: dict | None = None):
    """Evaluate the intrinsics this template uses with every parameter at its default."""
    params = _defaults(template)
    if conditions is None:
        conditions = {name: _value(template, cond, {}) for name, cond in template.get("Conditions", {}).items()}
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            return params.get(arg, {"Ref": arg}) if arg != "AWS::NoValue" else None
        if fn == "Fn::Equals":
            return str(_value(template, arg[0], conditions)) == str(_value(template, arg[1], conditions))
        if fn == "Fn::Not":
            return not _value(template, arg[0], conditions)
        if fn == "Fn::If":
            name, yes, no = arg
            return _value(template, yes if conditions[name] else no, conditions)
    return value


def _props(template: dict, logical_id: str, kind: str) -> dict:
    resource = template["Resources"][logical_id]
    assert resource["Type"] == kind, f"{logical_id} should be {kind}"
    return resource.get("Properties", {})


def test_resources_have_the_logical_ids_the_local_stack_and_docs_use(template):
    # Given the parsed template  Then each resource others refer to exists with its type
    expected = {"RonbunLayer": "AWS::Serverless::LayerVersion", "Api": "AWS::Serverless::Api",
                "ApiFunction": "AWS::Serverless::Function", "WorkerFunction": "AWS::Serverless::Function",
                "DigestWarmFunction": "AWS::Serverless::Function", "SummariesTable": "AWS::DynamoDB::Table",
                "JobsQueue": "AWS::SQS::Queue", "JobsDeadLetterQueue": "AWS::SQS::Queue",
                "DlqAlarm": "AWS::CloudWatch::Alarm", "OpenAISecret": "AWS::SecretsManager::Secret",
                "DigestSchedule": "AWS::Events::Rule", "DigestPaperIds": "AWS::SSM::Parameter"}
    assert {k: template["Resources"][k]["Type"] for k in expected} == expected


def test_every_function_runs_python_3_13_with_the_layer(template):
    # Given the globals and the layer  Then functions and layer agree on runtime and architecture
    fn = template["Globals"]["Function"]
    layer = template["Resources"]["RonbunLayer"]
    assert fn["Runtime"] == RUNTIME and layer["Metadata"]["BuildMethod"] == RUNTIME
    assert layer["Properties"]["CompatibleRuntimes"] == [RUNTIME]
    assert layer["Properties"]["ContentUri"].rstrip("/") == "shared"
    assert fn["Layers"] == [{"Ref": "RonbunLayer"}]
    assert layer["Properties"]["CompatibleArchitectures"] == fn["Architectures"]
    assert layer["Metadata"]["BuildArchitecture"] == fn["Architectures"][0]
    for name in FUNCTIONS:
        props = _props(template, name, "AWS::Serverless::Function")
        assert "Runtime" not in props and "Layers" not in props and "Architectures" not in props


def test_the_api_routes_are_the_contract_and_the_sample_events_match_them(template):
    # Given the API function's events and tests/events/api_*.json
    events = _props(template, "ApiFunction", "AWS::Serverless::Function")["Events"].values()
    routes = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"]) for e in events}
    samples = [json.loads(p.read_text()) for p in sorted((ROOT / "tests/events").glob("api_*.json"))]
    # Then the routes are exactly the v1 contract and every sample event targets one of them
    assert routes == ROUTES
    assert all(e["Type"] == "Api" and e["Properties"]["RestApiId"] == {"Ref": "Api"} for e in events)
    assert samples and {(s["httpMethod"], s["resource"]) for s in samples} <= ROUTES


def test_the_greedy_route_sample_carries_the_id_as_api_gateway_does(template):
    # Given the GET sample for the greedy route  Then the path variable is named without its "+"
    sample = json.loads((ROOT / "tests/events/api_get_summary.json").read_text())
    assert sample["resource"] == "/v1/summaries/{paper_id+}"
    assert sample["pathParameters"] == {"paper_id": sample["path"].removeprefix("/v1/summaries/")}


def test_queue_visibility_covers_six_worker_timeouts(template):
    # Given the worker and its queue  Then a message stays hidden while any retry may still run
    worker = _props(template, "WorkerFunction", "AWS::Serverless::Function")
    queue = _props(template, "JobsQueue", "AWS::SQS::Queue")
    assert int(queue["VisibilityTimeout"]) >= 6 * int(worker["Timeout"])
    assert int(worker["Timeout"]) <= 900


def test_failed_jobs_go_to_a_dead_letter_queue_that_raises_an_alarm(template):
    # Given the jobs queue, the DLQ and the alarm
    redrive = _props(template, "JobsQueue", "AWS::SQS::Queue")["RedrivePolicy"]
    dlq = _props(template, "JobsDeadLetterQueue", "AWS::SQS::Queue")
    alarm = _props(template, "DlqAlarm", "AWS::CloudWatch::Alarm")
    # Then messages move after a few receives, stay 14 days, and any visible one alarms
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}
    assert 1 <= int(redrive["maxReceiveCount"]) <= 5
    assert int(dlq["MessageRetentionPeriod"]) == 14 * 24 * 3600
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["JobsDeadLetterQueue", "QueueName"]}}]
    assert (alarm["ComparisonOperator"], float(alarm["Threshold"])) == ("GreaterThanThreshold", 0.0)


def test_worker_takes_one_message_at_a_time_and_reports_partial_failures(template):
    # Given the event source mapping of the worker
    mapping = _props(template, "WorkerJobsMapping", "AWS::Lambda::EventSourceMapping")
    # Then it reads JobsQueue one message per invocation with partial batch responses
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert mapping["FunctionName"] == {"Ref": "WorkerFunction"}
    assert int(mapping["BatchSize"]) == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_worker_concurrency_is_bounded_without_throttling_messages_into_the_dlq(template):
    # Given the defaults
    worker = _props(template, "WorkerFunction", "AWS::Serverless::Function")
    mapping = _props(template, "WorkerJobsMapping", "AWS::Lambda::EventSourceMapping")
    most = _value(template, mapping["ScalingConfig"]["MaximumConcurrency"])
    # Then SQS never invokes more than a few workers (its maximum concurrency is at least 2)
    assert 2 <= int(most) <= 10
    # And nothing is reserved by default: a new account (quota 10, 10 kept unreserved) can deploy
    assert _value(template, worker["ReservedConcurrentExecutions"]) is None
    # And when reserving is turned on, the reservation is at least what SQS invokes
    # (a lower reservation would throttle messages into the DLQ)
    conditions = {name: _value(template, cond, {}) for name, cond in template["Conditions"].items()}
    reserved = _value(template, worker["ReservedConcurrentExecutions"], {**conditions, "ReserveWorker": True})
    assert 2 <= int(most) <= int(reserved) <= 10


def test_the_settings_know_the_queue_retention_and_the_functions_share_the_arxiv_pacer(template):
    # Given the jobs queue and the functions' environment
    from ronbun.settings import Settings

    queue = _props(template, "JobsQueue", "AWS::SQS::Queue")
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    # Then a queued job's message counts as expired exactly when SQS deletes it
    assert int(queue["MessageRetentionPeriod"]) == Settings().queue_retention_seconds
    # And every function paces arXiv through the table, not per container
    assert env["RONBUN_ARXIV_PACER"] == "table"


def test_the_digest_schedule_is_off_unless_enabled(template):
    # Given the defaults  Then the rule is created disabled and targets the warm-up function
    rule = _props(template, "DigestSchedule", "AWS::Events::Rule")
    assert _value(template, rule["State"]) == "DISABLED"
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["DigestWarmFunction", "Arn"]}
    permission = _props(template, "DigestSchedulePermission", "AWS::Lambda::Permission")
    assert permission["SourceArn"] == {"Fn::GetAtt": ["DigestSchedule", "Arn"]}


def test_no_secret_material_lives_in_the_template(template):
    # Given parameters, environment variables and the secret's initial value
    defaults = [str(v) for v in _defaults(template).values() if v is not None]
    env_names = set().union(*(_declared_env(template, name) for name in FUNCTIONS))
    initial = json.loads(_props(template, "OpenAISecret", "AWS::SecretsManager::Secret")["SecretString"])
    # Then no default looks like a key, no function gets the key in its environment,
    # and the stack's secret starts empty (the key is put in after deploy)
    assert not [d for d in defaults if d.startswith("sk-")]
    assert "OPENAI_API_KEY" not in env_names and "RONBUN_OPENAI_SECRET" in env_names
    assert initial == {"OPENAI_API_KEY": ""}


def _declared_env(template: dict, function: str) -> set[str]:
    names = set(template["Globals"]["Function"]["Environment"]["Variables"])
    return names | set(_props(template, function, "AWS::Serverless::Function").get("Environment", {}).get("Variables", {}))


def test_sam_local_env_file_only_sets_variables_the_template_declares(template):
    # Given infra/env.json (sam local ignores names a function does not declare)
    env = json.loads((ROOT / "infra/env.json").read_text())
    # Then every name it sets is declared for every function it applies to
    for name in FUNCTIONS:
        wanted = set(env.get("Parameters", {})) | set(env.get(name, {}))
        assert wanted <= _declared_env(template, name), (name, wanted - _declared_env(template, name))
    assert set(env) <= {"Parameters", *FUNCTIONS}
    assert env["Parameters"]["AWS_ENDPOINT_URL"].startswith("http://")


def test_samconfig_overrides_only_parameters_the_template_has(template):
    import tomllib
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    deploy = config["default"]["deploy"]["parameters"]
    names = {item.split("=", 1)[0] for item in deploy["parameter_overrides"]}
    assert names <= set(template["Parameters"])
    assert deploy["capabilities"] == "CAPABILITY_IAM" and deploy["confirm_changeset"] is True


def _settings_for(template: dict, function: str):
    """ronbun's Settings as the deployed function would build them (defaults + its env)."""
    from ronbun.settings import from_env
    env = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    env |= _props(template, function, "AWS::Serverless::Function").get("Environment", {}).get("Variables", {})
    return from_env({k: v for k, v in env.items() if isinstance(v, str)})


def test_every_ronbun_variable_the_template_sets_is_a_setting(template):
    # Given the RONBUN_* names the template sets  Then ronbun reads each one (no silent typo)
    from ronbun.settings import _ENV
    known = set(_ENV.values()) | {"RONBUN_DIGEST_PARAMETER"}
    for name in FUNCTIONS:
        assert {n for n in _declared_env(template, name) if n.startswith("RONBUN_")} <= known


def test_an_arxiv_look_up_gives_up_before_api_gateway_does(template):
    # Given the API function's settings  When arXiv is slow on a cache miss
    s = _settings_for(template, "ApiFunction")
    worst = s.arxiv_timeout * (s.arxiv_retries + 1) + s.arxiv_max_retry_after * s.arxiv_retries + s.arxiv_min_interval
    # Then the request ends (with a clear error) inside the function and API Gateway timeouts
    timeout = int(_props(template, "ApiFunction", "AWS::Serverless::Function")["Timeout"])
    assert timeout <= 29 and worst < timeout


MODEL_CALLS_PER_JOB = 4    # the answer and the repair round, each with its one length retry
JUDGE_CALLS_PER_JOB = 2    # the judge's verdicts, and again on what the repair rewrote


def test_the_worker_s_worst_case_fits_its_timeout(template):
    # Given the worker's settings, as the deployed function reads them
    from functions.worker.app import WRITE_RESERVE_SECONDS
    from ronbun import pdfproc
    from ronbun.judge import JUDGE_MAX_RETRIES, JUDGE_TIMEOUT
    s = _settings_for(template, "WorkerFunction")
    env = _props(template, "WorkerFunction", "AWS::Serverless::Function")["Environment"]["Variables"]
    # When every stage takes as long as its own bound allows: the arXiv metadata (an older
    # version was asked for: every attempt times out, the longest Retry-After, the pacing), the
    # PDF download, the extraction child (killed after its grace), four model calls each with
    # its SDK retries, two judge calls, and the writes after the job's deadline
    metadata = (s.arxiv_timeout * (s.arxiv_retries + 1) + s.arxiv_max_retry_after * s.arxiv_retries
                + s.arxiv_min_interval)
    extraction = s.pdf_extract_seconds + pdfproc.KILL_GRACE_SECONDS
    models = MODEL_CALLS_PER_JOB * s.openai_timeout * (s.openai_max_retries + 1)
    judge = JUDGE_CALLS_PER_JOB * min(s.openai_timeout, JUDGE_TIMEOUT) * (min(s.openai_max_retries, JUDGE_MAX_RETRIES) + 1)
    worst = metadata + s.pdf_max_seconds + extraction + models + judge + WRITE_RESERVE_SECONDS
    # Then the sum fits the function's timeout, with the arXiv settings set explicitly
    assert worst <= int(_props(template, "WorkerFunction", "AWS::Serverless::Function")["Timeout"])
    assert {"RONBUN_ARXIV_TIMEOUT", "RONBUN_ARXIV_RETRIES", "RONBUN_ARXIV_MAX_RETRY_AFTER",
            "RONBUN_ARXIV_MIN_INTERVAL", "RONBUN_PDF_EXTRACT_SECONDS"} <= set(env)
    # and the extraction child fits the function's memory beside the worker itself
    memory = int(_props(template, "WorkerFunction", "AWS::Serverless::Function")["MemorySize"])
    assert s.pdf_extract_memory_mb + 512 <= memory


def test_the_table_is_on_demand_encrypted_recoverable_and_expires_items(template):
    props = _props(template, "SummariesTable", "AWS::DynamoDB::Table")
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in props["KeySchema"]] == ["PK", "SK"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


# ---------------------------------------------------------------------------- the SAM transform

_TRANSFORM = r"""
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
class NoManagedPolicies:
    def load(self):
        return {}
tpl = yaml_parse(open(sys.argv[1], encoding="utf-8").read())
for res in tpl["Resources"].values():
    for key in ("CodeUri", "ContentUri"):
        if key in res.get("Properties", {}):
            res["Properties"][key] = "s3://bucket/key"
print(json.dumps(transform(tpl, {}, NoManagedPolicies())))
"""


def _transform(path: Path) -> dict:
    """The CloudFormation the SAM transform generates (samtranslator, offline, code URIs stubbed)."""
    out = _run([SAM_PY, "-c", _TRANSFORM, path], env=_env(), cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def cloudformation() -> dict:
    if not SAM_PY.exists():
        pytest.skip("SAM tools missing: run `make install-sam` (creates .venv-sam)")
    return _transform(TEMPLATE)


def _statements(cfn: dict):
    for logical_id, res in cfn["Resources"].items():
        if res["Type"] == "AWS::IAM::Role":
            for policy in res["Properties"].get("Policies", []):
                for st in policy["PolicyDocument"]["Statement"]:
                    yield logical_id, st


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_every_api_method_requires_the_api_key(cloudformation):
    # Given the generated REST API definition
    body = cloudformation["Resources"]["Api"]["Properties"]["Body"]
    methods = {(m.upper(), path): op for path, ops in body["paths"].items() for m, op in ops.items()}
    # Then each route exists and requires the x-api-key header
    assert set(methods) == ROUTES
    assert body["components"]["securitySchemes"]["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
    assert all(op.get("security") == [{"api_key": []}] for op in methods.values())


def test_the_usage_plan_throttles_and_caps_the_key_per_day(cloudformation):
    plan = cloudformation["Resources"]["ApiUsagePlan"]["Properties"]
    assert plan["ApiStages"] == [{"ApiId": {"Ref": "Api"}, "Stage": {"Ref": "ApiStage"}}]
    assert plan["Quota"]["Period"] == "DAY" and int(plan["Quota"]["Limit"]) > 0
    assert int(plan["Throttle"]["RateLimit"]) > 0 and int(plan["Throttle"]["BurstLimit"]) > 0
    assert cloudformation["Resources"]["ApiUsagePlanKey"]["Properties"]["KeyId"] == {"Ref": "ApiApiKey"}


def test_the_api_key_output_names_the_generated_key(cloudformation):
    # Given the outputs  Then ApiKeyId refers to the key SAM creates for the usage plan
    assert cloudformation["Outputs"]["ApiKeyId"]["Value"] == {"Ref": "ApiApiKey"}
    assert cloudformation["Resources"]["ApiApiKey"]["Type"] == "AWS::ApiGateway::ApiKey"
    assert {"ApiUrl", "TableName", "QueueUrl", "DlqUrl"} <= set(cloudformation["Outputs"])


def test_no_role_gets_wildcard_actions_or_wildcard_data_resources(cloudformation):
    # Given every inline statement of every generated role (policy templates expanded)
    found = list(_statements(cloudformation))
    assert found
    for role, st in found:
        actions = _as_list(st["Action"])
        # Then no action is a wildcard and nothing on DynamoDB/SQS/secrets/SSM targets "*"
        assert not [a for a in actions if "*" in a], (role, actions)
        if any(a.split(":")[0] in {"dynamodb", "sqs", "secretsmanager", "ssm"} for a in actions):
            assert "*" not in _as_list(st["Resource"]), (role, st)


def test_only_the_worker_reads_the_openai_secret_and_only_the_api_side_enqueues(cloudformation):
    by_role: dict[str, set[str]] = {}
    for role, st in _statements(cloudformation):
        by_role.setdefault(role, set()).update(_as_list(st["Action"]))
    assert [r for r, acts in by_role.items() if "secretsmanager:GetSecretValue" in acts] == ["WorkerFunctionRole"]
    assert "sqs:SendMessage" not in by_role["WorkerFunctionRole"]
    assert "sqs:ReceiveMessage" in by_role["WorkerFunctionRole"]
    assert {"dynamodb:Query", "sqs:SendMessage"} <= by_role["ApiFunctionRole"]
    assert not any(a.startswith("dynamodb:Delete") or a == "dynamodb:Scan" for acts in by_role.values() for a in acts)


def test_no_role_gets_a_broad_managed_policy_for_queues(cloudformation):
    # Given the generated roles  Then only logging and tracing come from AWS managed policies
    # (the SAM SQS event would attach AWSLambdaSQSQueueExecutionRole: every queue in the account)
    arns = {arn for res in cloudformation["Resources"].values() if res["Type"] == "AWS::IAM::Role"
            for arn in res["Properties"].get("ManagedPolicyArns", [])}
    names = {a.rsplit("/", 1)[-1] if isinstance(a, str) else json.dumps(a) for a in arns}
    assert names == {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}


# ---------------------------------------------------------------------------- SAM CLI

def _build(arch: str, python: str) -> tuple[subprocess.CompletedProcess, Path]:
    """`sam build` of template.yaml for `arch`, cached under .aws-sam/test-<arch> (git-ignored;
    the user's .aws-sam/build is left alone). The x86_64 variant exists so that this machine
    can import what it built; it differs from the deployed template only in the architecture.
    Each variant runs in its own directory: SAM keeps downloaded dependencies in ./.aws-sam/deps
    and deletes the ones its current build does not use."""
    work = ROOT / ".aws-sam" / f"test-{arch}"
    work.mkdir(parents=True, exist_ok=True)
    template = work / "template.yaml"
    text = TEMPLATE.read_text(encoding="utf-8")
    template.write_text(text if arch == "arm64" else text.replace("arm64", arch), encoding="utf-8")
    env = _env(PATH=f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    out = _run([SAM, "build", "--template-file", template, "--base-dir", ROOT, "--build-dir", work / "build",
                "--cache-dir", work / "cache", "--cached", "--parallel"], env=env, cwd=work, timeout=900)
    return out, work / "build"


@pytest.fixture(scope="module")
def sam_cli():
    """validate, cfn-lint and both builds, started together (they mostly wait on disk and pip)."""
    if not SAM.exists() or not CFN_LINT.exists():
        pytest.skip("SAM tools missing: run `make install-sam` (creates .venv-sam)")
    python = _python313()
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = {"validate": pool.submit(_run, [SAM, "validate", "--lint", "--template-file", TEMPLATE],
                                        env=_env(), cwd=ROOT, timeout=300),
                "cfn-lint": pool.submit(_run, [CFN_LINT, TEMPLATE], env=_env(), cwd=ROOT, timeout=300)}
        if python is not None:
            runs |= {arch: pool.submit(_build, arch, python) for arch in ("arm64", "x86_64")}
        yield runs


def _ok(out: subprocess.CompletedProcess) -> None:
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_sam_validate_with_lint_accepts_the_template(sam_cli):
    _ok(sam_cli["validate"].result())


def test_cfn_lint_finds_nothing(sam_cli):
    _ok(sam_cli["cfn-lint"].result())


@pytest.fixture(scope="module")
def builds(sam_cli) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    if "arm64" not in sam_cli:
        pytest.skip("no python3.13 interpreter: `sam build` for the python3.13 runtime needs one "
                    f"(pyenv: PYENV_VERSION={PYENV_VERSIONS})")
    return {arch: sam_cli[arch].result() for arch in ("arm64", "x86_64")}


def _built(builds, arch: str) -> Path:
    out, build_dir = builds[arch]
    _ok(out)
    return build_dir


def _elf_arch(path: Path) -> str:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", path
    return ELF_MACHINE.get(int.from_bytes(header[18:20], "little"), "unknown")


def test_sam_build_succeeds_for_the_deployed_architecture(builds, template):
    # Given `sam build` of template.yaml as is
    build_dir = _built(builds, "arm64")
    layer = build_dir / "RonbunLayer" / "python"
    native = sorted(layer.rglob("*.so"))
    arch = ARCH_OF[template["Globals"]["Function"]["Architectures"][0]]
    # Then the layer holds the ronbun package at /opt/python/ronbun and Linux wheels of the
    # deployed architecture only (pydantic-core among them), built for python3.13
    assert (layer / "ronbun" / "__init__.py").is_file() and (layer / "ronbun" / "service.py").is_file()
    assert any(p.name.startswith("_pydantic_core.cpython-313-") for p in native)
    assert native and {_elf_arch(p) for p in native} == {arch}
    assert all("cpython-313" in p.name for p in native if ".cpython-" in p.name)
    for name in FUNCTIONS:
        assert (build_dir / name / "app.py").read_bytes() == (ROOT / _code_uri(template, name) / "app.py").read_bytes()


def test_the_layer_installs_the_pinned_runtime_requirements(builds):
    # Given shared/requirements.txt and the built layer  Then every pin is what was installed
    layer = _built(builds, "arm64") / "RonbunLayer" / "python"
    pins = [line.split("#")[0].strip() for line in (ROOT / "shared/requirements.txt").read_text().splitlines()]
    pins = [p for p in pins if "==" in p]
    assert pins
    installed = dict(d.name.removesuffix(".dist-info").rsplit("-", 1) for d in layer.glob("*.dist-info"))
    installed = {name.lower().replace("_", "-"): version for name, version in installed.items()}
    for pin in pins:
        name, version = pin.split("==")
        assert installed.get(name.split("[")[0].lower().replace("_", "-")) == version, pin


def _code_uri(template: dict, name: str) -> str:
    return _props(template, name, "AWS::Serverless::Function")["CodeUri"]


def _handler(template: dict, name: str) -> tuple[str, str]:
    module, attr = _props(template, name, "AWS::Serverless::Function")["Handler"].rsplit(".", 1)
    return module, attr


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_built_api_function_imports_neither_openai_nor_pypdf(builds):
    # Given the built API handler's source  Then it names neither heavy library (cold start budget)
    app = _built(builds, "arm64") / "ApiFunction" / "app.py"
    assert not _imports(app) & {"openai", "pypdf"}


_SMOKE = r"""
import importlib, json, sys
from types import SimpleNamespace
module, attr, event_path = sys.argv[1:4]
handler = getattr(importlib.import_module(module), attr)
ctx = SimpleNamespace(function_name="ronbun-test", memory_limit_in_mb=512, aws_request_id="req-1",
                      invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:ronbun-test",
                      get_remaining_time_in_millis=lambda: 29000)
result = None
if event_path != "-":
    with open(event_path, encoding="utf-8") as fh:
        result = handler(json.load(fh), ctx)
print(json.dumps({"result": result, "callable": callable(handler), "python": sys.version_info[:2],
                  "heavy": sorted(m for m in ("openai", "pypdf") if m in sys.modules),
                  "ronbun": sys.modules["ronbun"].__file__}))
"""


def _runtime_dir(tmp_path_factory) -> Path:
    """Stands in for the Lambda runtime's own packages: boto3 and s3transfer (pure Python).
    botocore is not copied: the layer brings its own, as it will in Lambda."""
    runtime = tmp_path_factory.mktemp("lambda-runtime")
    import boto3
    import s3transfer
    for module in (boto3, s3transfer):
        shutil.copytree(Path(module.__file__).parent, runtime / module.__name__)
    return runtime


@pytest.fixture(scope="module")
def invoke(builds, template, tmp_path_factory):
    """Run a built handler in a fresh python3.13 with only its code, the layer and the runtime's
    boto3 on the path (-S: no site-packages), as Lambda does."""
    build_dir = _built(builds, "x86_64")
    python = _python313()
    runtime = _runtime_dir(tmp_path_factory)

    def run(function: str, event: str | None) -> dict:
        module, attr = _handler(template, function)
        path = os.pathsep.join(str(p) for p in (build_dir / function, build_dir / "RonbunLayer" / "python", runtime))
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": path, "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "ronbun",
               "POWERTOOLS_METRICS_NAMESPACE": "Ronbun", "RONBUN_TABLE": "ronbun-test",
               "RONBUN_QUEUE_URL": "http://127.0.0.1:9/queue/jobs", "RONBUN_ENGINE": "offline",
               "RONBUN_DIGEST_PARAMETER": "/ronbun/digest-paper-ids", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
        event_path = str(ROOT / "tests/events" / event) if event else "-"
        out = _run([python, "-S", "-c", _SMOKE, module, attr, event_path], env=env, cwd=build_dir / function, timeout=120)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    return run


def test_the_built_api_answers_health_with_only_the_layer(invoke, builds):
    # Given the built API function, the layer and nothing else
    got = invoke("ApiFunction", "api_health.json")
    # When the health event is handled  Then it answers 200 with a JSON body, on python3.13,
    # with ronbun from the layer and without loading openai or pypdf
    assert got["python"] == [3, 13]
    assert got["result"]["statusCode"] == 200
    assert isinstance(json.loads(got["result"]["body"]), dict)
    assert Path(got["ronbun"]).parent == _built(builds, "x86_64") / "RonbunLayer" / "python" / "ronbun"
    assert got["heavy"] == []


@pytest.mark.parametrize("function", ["WorkerFunction", "DigestWarmFunction"])
def test_the_other_built_functions_import_with_only_the_layer(invoke, function):
    # Given the built function and the layer  When its handler module is imported  Then it loads
    got = invoke(function, None)
    assert got["callable"] is True and got["python"] == [3, 13]
