"""The oracle: cross-checks refgrad against torch and numerical derivatives, and checks users' own functions.

The public API for your own code (``oracle.user``) is re-exported here and imported on first use, so that
``import oracle`` (which the pytest plugin does in every run of an environment that has refgrad installed) costs
nothing: ``oracle.check``, ``oracle.pytest_checks``, ``oracle.UserSpec``, ``oracle.CheckResult``,
``oracle.OracleCheckError``; the strategies are ``oracle.strategies``.
"""
from __future__ import annotations

_USER_API = ("check", "pytest_checks", "UserSpec", "CheckResult", "OracleCheckError")
__all__ = list(_USER_API)


def __getattr__(name: str):
    if name in _USER_API:
        from . import user

        return getattr(user, name)
    raise AttributeError(f"module 'oracle' has no attribute {name!r}")
