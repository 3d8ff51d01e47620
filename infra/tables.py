"""Create the table and queues in moto from the same definitions as template.yaml, so the
local stack cannot drift from what `sam deploy` creates (keys, TTL, redrive, visibility)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"
TABLE_ID, QUEUE_ID, DLQ_ID = "SummariesTable", "JobsQueue", "JobsDeadLetterQueue"
TEXT_BUCKET_ID, TEXT_BUCKET = "PaperTextBucket", "ronbun-papertext"
DEFAULT_VISIBILITY = 30
DEFAULT_MAX_RECEIVES = 3


class _CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A YAML loader that reads CloudFormation short forms (!Ref X -> {"Ref": "X"})."""


def _cfn_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(path: Path = TEMPLATE) -> dict:
    path = Path(path)
    return copy.deepcopy(_load(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass


def _resolve(template: dict, value: Any, default: Any = None) -> Any:
    """A literal, or a !Ref to a parameter's Default; anything else gives `default`."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            param = (template.get("Parameters") or {}).get(value["Ref"]) or {}
            return param.get("Default", default)
        return default
    return default if value is None else value


def _resource(template: dict, logical_id: str, kind: str) -> dict:
    res = (template.get("Resources") or {}).get(logical_id)
    if not res or res.get("Type") != kind:
        raise KeyError(f"template has no {kind} named {logical_id}")
    return res.get("Properties") or {}


@dataclass(frozen=True)
class TableSpec:
    key_schema: list[dict]
    attributes: list[dict]
    ttl_attribute: str | None
    indexes: list[dict]


@dataclass(frozen=True)
class QueueSpec:
    visibility_timeout: int
    retention_seconds: int | None
    max_receive_count: int


def table_spec(template: dict) -> TableSpec:
    props = _resource(template, TABLE_ID, "AWS::DynamoDB::Table")
    ttl = props.get("TimeToLiveSpecification") or {}
    indexes = [{k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
               for gsi in props.get("GlobalSecondaryIndexes") or []]
    return TableSpec(props["KeySchema"], props["AttributeDefinitions"],
                     ttl.get("AttributeName") if _resolve(template, ttl.get("Enabled"), True) else None, indexes)


def queue_spec(template: dict) -> QueueSpec:
    props = _resource(template, QUEUE_ID, "AWS::SQS::Queue")
    _resource(template, DLQ_ID, "AWS::SQS::Queue")
    redrive = props.get("RedrivePolicy") or {}
    retention = _resolve(template, props.get("MessageRetentionPeriod"))
    return QueueSpec(int(_resolve(template, props.get("VisibilityTimeout"), DEFAULT_VISIBILITY)),
                     int(retention) if retention is not None else None,
                     int(_resolve(template, redrive.get("maxReceiveCount"), DEFAULT_MAX_RECEIVES)))


@dataclass(frozen=True)
class Resources:
    table: str
    queue_url: str
    dlq_url: str
    visibility_timeout: int
    max_receive_count: int


def create_resources(dynamodb, sqs, *, table: str = "ronbun", queue: str = "ronbun-jobs",
                     template_path: Path = TEMPLATE, visibility_timeout: int | None = None) -> Resources:
    """Create (or find) the table, the jobs queue and its dead-letter queue as the template
    defines them; `visibility_timeout` overrides the template's (short values for tests)."""
    template = load_template(template_path)
    tspec, qspec = table_spec(template), queue_spec(template)
    try:
        kw: dict[str, Any] = dict(TableName=table, KeySchema=tspec.key_schema, AttributeDefinitions=tspec.attributes,
                                  BillingMode="PAY_PER_REQUEST")
        if tspec.indexes:
            kw["GlobalSecondaryIndexes"] = tspec.indexes
        dynamodb.create_table(**kw)
        if tspec.ttl_attribute:
            dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={
                "AttributeName": tspec.ttl_attribute, "Enabled": True})
    except dynamodb.exceptions.ResourceInUseException:
        pass
    visibility = visibility_timeout if visibility_timeout is not None else qspec.visibility_timeout
    dlq_url = sqs.create_queue(QueueName=f"{queue}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attrs = {"VisibilityTimeout": str(visibility),
             "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{qspec.max_receive_count}"}}'}
    if qspec.retention_seconds:
        attrs["MessageRetentionPeriod"] = str(qspec.retention_seconds)
    queue_url = sqs.create_queue(QueueName=queue, Attributes=attrs)["QueueUrl"]
    return Resources(table, queue_url, dlq_url, visibility, qspec.max_receive_count)


def create_text_bucket(s3, *, name: str = TEXT_BUCKET, template_path: Path = TEMPLATE) -> str:
    """Create (or find) the paper-text bucket as the template defines it: encrypted, public
    access blocked, objects expiring after the PaperTextExpiryDays default. Returns its name."""
    template = load_template(template_path)
    props = _resource(template, TEXT_BUCKET_ID, "AWS::S3::Bucket")
    try:
        s3.create_bucket(Bucket=name)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass
    rules = [{"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"],
              "BucketKeyEnabled": bool(r.get("BucketKeyEnabled", False))}
             for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]]
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    rules = [{"ID": r["Id"], "Status": r["Status"], "Filter": {"Prefix": ""},
              "Expiration": {"Days": int(_resolve(template, r["ExpirationInDays"], 90))}}
             for r in props["LifecycleConfiguration"]["Rules"]]
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    return name


def main(argv: list[str] | None = None) -> int:
    """`python -m infra.tables --endpoint http://127.0.0.1:5000`: the table and queues on any
    DynamoDB/SQS endpoint (a moto server for `sam local`), as the template defines them."""
    import argparse

    import boto3

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                    region_name=args.region)
    res = create_resources(session.client("dynamodb", endpoint_url=args.endpoint),
                           session.client("sqs", endpoint_url=args.endpoint))
    bucket = create_text_bucket(session.client("s3", endpoint_url=args.endpoint))
    print(f"table {res.table}\nqueue {res.queue_url}\ndlq   {res.dlq_url}\nbucket {bucket}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
