"""The moto_server peer (tests/moto_server.py): STS and S3 answer boto3 on loopback, a reset
empties them, and the server ends with its fixture."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from bench.processes import answers_http, listener_pids
from tests.moto_server import moto_server, reset

pytest_plugins = ["tests.moto_server"]

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
        "region_name": "us-east-1"}


def test_sts_and_s3_answer_and_reset_forgets(moto_url: str) -> None:
    sts = boto3.client("sts", endpoint_url=moto_url, **KEYS)
    assert sts.get_caller_identity()["Account"].isdigit()
    s3 = boto3.client("s3", endpoint_url=moto_url, **KEYS)
    s3.create_bucket(Bucket="peer-check")
    s3.put_object(Bucket="peer-check", Key="k", Body=b"v")
    assert s3.get_object(Bucket="peer-check", Key="k")["Body"].read() == b"v"
    reset(moto_url)
    with pytest.raises(ClientError) as info:
        s3.head_bucket(Bucket="peer-check")
    assert info.value.response["Error"]["Code"] == "404"


def test_a_server_of_its_own_stops_with_its_context() -> None:
    with moto_server() as url:
        port = int(url.rsplit(":", 1)[1])
        assert answers_http(url + "/moto-api/") and listener_pids(port)
    assert not listener_pids(port) and not answers_http(url + "/moto-api/")
