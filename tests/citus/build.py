"""Make sure the Citus extension is installed into Debian's PostgreSQL 15.

Run it as `uv run python -m tests.citus.build`; the `citus_cluster` fixture calls
`ensure_citus()` too. Citus is not in the package registries these machines
reach, so it is built from the vendored tarball (see shared/vendor/README.md):

- postgresql-15 itself is installed with apt if its server binary is missing;
- if `/usr/lib/postgresql/15/lib/citus.so` exists, nothing else happens;
- otherwise the build dependencies are installed with apt (postgresql-server-dev-15
  pinned to the installed postgresql-15 version, or apt upgrades the server too),
  the tarball is unpacked into a cache directory (kept, so a second install does
  not recompile), configured, built with `make -j2` and installed.

`BILLFOLD_CITUS_TARBALL` overrides the tarball's path, `BILLFOLD_CITUS_CACHE` the
cache directory (default `~/.cache/billfold`).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

CITUS_VERSION = "13.2.2"
PG_MAJOR = 15
PG_DIR = Path(f"/usr/lib/postgresql/{PG_MAJOR}")
PG_BIN = PG_DIR / "bin"
PG_CONFIG = PG_BIN / "pg_config"
CITUS_SO = PG_DIR / "lib" / "citus.so"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_TARBALL = REPO.parent / "shared" / "vendor" / f"citus-{CITUS_VERSION}.tar.gz"
BUILD_PACKAGES = ["libkrb5-dev", "liblz4-dev", "libzstd-dev", "libcurl4-openssl-dev"]


class CitusBuildError(RuntimeError):
    """Citus could not be installed; the message says which step failed and why."""


def _log(message: str) -> None:
    print(f"[citus-build] {message}", flush=True)


def _as_root(argv: list[str]) -> list[str]:
    """Commands that need root: as is when root, through sudo otherwise."""
    if os.geteuid() == 0:
        return argv
    if shutil.which("sudo") is None:
        raise CitusBuildError(f"need root for {shlex.join(argv)!r} and sudo is not installed")
    return ["sudo", "-n", *argv]


def _run(argv: list[str], *, cwd: Path | None = None, what: str) -> None:
    _log(f"$ {shlex.join(argv)}" + (f"   (in {cwd})" if cwd else ""))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    started = time.monotonic()
    # Output goes to a pipe so a failure can show its tail; builds are chatty.
    proc = subprocess.run(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise CitusBuildError(
            f"{what} failed (exit {proc.returncode}): {shlex.join(argv)}\n"
            f"--- last output ---\n{tail}"
        )
    _log(f"  ok in {time.monotonic() - started:.1f} s")


class _Apt:
    """apt-get, with one `apt-get update` before the first install."""

    def __init__(self) -> None:
        self.updated = False

    def install(self, packages: list[str]) -> None:
        if not self.updated:
            _run(_as_root(["apt-get", "update"]), what="apt-get update")
            self.updated = True
        _run(
            _as_root(["apt-get", "install", "-y", "--no-install-recommends", *packages]),
            what=f"apt-get install {' '.join(packages)}",
        )


def installed_version(package: str) -> str | None:
    """The installed version of a Debian package, or None."""
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True
    )
    version = proc.stdout.strip()
    return version if proc.returncode == 0 and version else None


def tarball_path() -> Path:
    override = os.environ.get("BILLFOLD_CITUS_TARBALL")
    return Path(override).expanduser() if override else DEFAULT_TARBALL


def cache_dir() -> Path:
    override = os.environ.get("BILLFOLD_CITUS_CACHE")
    base = Path(override).expanduser() if override else Path.home() / ".cache" / "billfold"
    return base / f"citus-{CITUS_VERSION}"


def _unpack(tarball: Path, dest: Path) -> Path:
    """Unpack into `dest` (once) and return the source tree (the dir with `configure`)."""
    marker = dest / ".unpacked"
    if not marker.exists():
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        _log(f"unpacking {tarball} into {dest}")
        with tarfile.open(tarball) as tar:
            tar.extractall(dest, filter="data")
        marker.touch()
    if (dest / "configure").exists():
        return dest
    candidates = [p.parent for p in dest.glob("*/configure")]
    if len(candidates) != 1:
        raise CitusBuildError(f"no single citus source tree with ./configure under {dest}")
    return candidates[0]


def ensure_postgres(apt: _Apt) -> None:
    if (PG_BIN / "postgres").exists():
        return
    _log(f"{PG_BIN / 'postgres'} is missing: installing postgresql-{PG_MAJOR}")
    apt.install([f"postgresql-{PG_MAJOR}"])
    if not (PG_BIN / "postgres").exists():
        raise CitusBuildError(
            f"installed postgresql-{PG_MAJOR} but {PG_BIN / 'postgres'} is still missing"
        )


def ensure_citus() -> Path:
    """Install Citus into PostgreSQL 15 unless it is there; return the path of citus.so."""
    apt = _Apt()
    ensure_postgres(apt)
    if CITUS_SO.exists():
        _log(f"{CITUS_SO} exists: nothing to do")
        return CITUS_SO

    started = time.monotonic()
    tarball = tarball_path()
    if not tarball.is_file():
        raise CitusBuildError(
            f"citus source tarball not found at {tarball} (set BILLFOLD_CITUS_TARBALL)"
        )
    server_version = installed_version(f"postgresql-{PG_MAJOR}")
    if server_version is None:
        raise CitusBuildError(f"postgresql-{PG_MAJOR} is not installed as a Debian package")
    _log(f"building citus {CITUS_VERSION} for postgresql-{PG_MAJOR} {server_version}")

    dev_package = f"postgresql-server-dev-{PG_MAJOR}"
    if installed_version(dev_package) == server_version and all(
        installed_version(p) for p in BUILD_PACKAGES
    ):
        _log("build dependencies already installed")
    else:
        # Pinned: an unpinned server-dev would drag a newer server in with it.
        apt.install([f"{dev_package}={server_version}", *BUILD_PACKAGES])

    source = _unpack(tarball, cache_dir())
    if not (source / "Makefile.global").exists():
        _run(["./configure", f"PG_CONFIG={PG_CONFIG}"], cwd=source, what="configure")
    _run(["make", "-j2"], cwd=source, what="make")
    _run(_as_root(["make", "install"]), cwd=source, what="make install")
    if not CITUS_SO.exists():
        raise CitusBuildError(f"make install finished but {CITUS_SO} does not exist")
    _log(f"citus {CITUS_VERSION} installed in {time.monotonic() - started:.0f} s")
    return CITUS_SO


def main() -> int:
    try:
        ensure_citus()
    except CitusBuildError as exc:
        print(f"[citus-build] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
