"""An S3-compatible server started by the test (moto's, on a free loopback port, in a process of its own)
and a bucket in it: what the tests of media on S3 share (tests/test_s3_media.py, tests/test_two_servers.py).

`s3_server` yields the server; `S3Server.env()` is the environment that points thidua at its bucket, read
by the settings' own `media_storage`, so the tests run the configuration production runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.harness import HOST, ROOT, free_port

KEY, SECRET, REGION = "thidua-test", "thidua-test-secret", "us-east-1"


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    log: Path

    def env(self) -> dict[str, str]:
        return {
            "THIDUA_S3_BUCKET": self.bucket,
            "THIDUA_S3_ENDPOINT_URL": self.endpoint,
            "THIDUA_S3_ACCESS_KEY": KEY,
            "THIDUA_S3_SECRET_KEY": SECRET,
            "THIDUA_S3_REGION": REGION,
        }

    def with_new_bucket(self) -> S3Server:
        """The same server with a bucket of its own, empty."""
        other = replace(self, bucket=f"thidua-{uuid.uuid4().hex[:12]}")
        other.client().create_bucket(Bucket=other.bucket)
        return other

    def storage(self) -> dict[str, Any]:
        from config.settings import media_storage

        return media_storage(self.env())

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            region_name=REGION,
        )

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket: its key and its bytes."""
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
        return found


@contextmanager
def s3_server(folder: Path) -> Iterator[S3Server]:
    """moto's S3 server with one empty bucket, killed when the block ends, whatever ends it."""
    port = free_port()
    log = folder / "s3-server.log"
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 — our own venv's Python, fixed arguments
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        server = S3Server(f"http://{HOST}:{port}", f"thidua-{uuid.uuid4().hex[:12]}", log)
        deadline = time.monotonic() + 30
        while True:
            try:
                server.client().create_bucket(Bucket=server.bucket)
                break
            except Exception:
                assert process.poll() is None, log.read_text()[-3000:]
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
