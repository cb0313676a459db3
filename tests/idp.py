"""The test identity provider (testidp/) as a real process on a free local port, for OIDC round trips."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Provider:
    issuer: str
    process: subprocess.Popen
    client_id: str = "min-vardplan-dev"
    client_secret: str = "dev-secret-not-for-production"  # noqa: S105 (the test provider's own)

    def settings(self, claim: str = "https://id.oidc.se/claim/personalIdentityNumber") -> dict[str, str]:
        """The portal's OIDC_* settings that point at this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": self.client_id,
                "OIDC_CLIENT_SECRET": self.client_secret, "OIDC_PERSONAL_ID_CLAIM": claim}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(claim: str = "pin", port: int | None = None) -> Iterator[Provider]:
    """Start `python -m testidp` and wait until its discovery document answers; stop it afterwards."""
    port = port or free_port()
    env = {**os.environ, "PORTAL_ENV": "test"}
    if "FAKETIME" in env:  # `make test-clock`: the provider's clock starts where the portal's is now, so the ID
        env["FAKETIME"] = "@" + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())  # tokens' times agree
    process = subprocess.Popen([sys.executable, "-m", "testidp", "--port", str(port), "--claim", claim],  # noqa: S603
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = process.stdout.readline() if process.stdout else ""  # printed once it listens (no sleeping: under
        if not ready.startswith("testidp:"):  # `make test-clock`, libfaketime makes time.sleep fail)
            raise RuntimeError(f"testidp did not start (exit code {process.poll()})")
        yield Provider(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait()
        if process.stdout:
            process.stdout.close()
