"""`make run` serves the system as production does, on one box (README "Run the whole system").

These start what scripts/run.sh starts, with the environment it builds
(scripts/production_env.sh): static files collected with DEBUG off, then gunicorn with
WhiteNoise serving them. The server needs no database for the pages asked for here.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _production_env(var_dir: Path, static_root: Path) -> dict[str, str]:
    """The environment run.sh serves with: production_env.sh sourced into a clean shell."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "TCI_")) or k == "DJANGO_SETTINGS_MODULE"
    }
    base.update(TCI_VAR_DIR=str(var_dir), DJANGO_STATIC_ROOT=str(static_root))
    result = subprocess.run(
        ["bash", "-c", "source scripts/production_env.sh && env -0"],
        cwd=ROOT, env=base, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic exactly as the Dockerfile runs it (DEBUG off, manifest storage)."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="build", DJANGO_STATIC_ROOT=str(root))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_collectstatic_succeeds_with_debug_off(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["vendor/chart.umd.min.js"]
    assert hashed != "vendor/chart.umd.min.js"
    assert (static_root / hashed).is_file()
    assert (static_root / (hashed + ".gz")).is_file()  # WhiteNoise's compressed copy


def test_no_vendored_file_names_a_source_map_it_does_not_ship():
    vendor = ROOT / "static" / "vendor"
    for path in vendor.iterdir():
        if path.suffix in (".js", ".css"):
            assert "sourceMappingURL" not in path.read_text(encoding="utf-8"), path.name


def test_the_run_environment_is_production_over_plain_http(tmp_path):
    env = _production_env(tmp_path / "var", tmp_path / "static")
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert env["DJANGO_SECURE_SSL_REDIRECT"] == "0"
    assert env["DJANGO_SECURE_COOKIES"] == "0"
    # A secret key is generated once, kept private in var/ and reused on the next run.
    key_file = tmp_path / "var" / "secret_key"
    assert env["DJANGO_SECRET_KEY"] == key_file.read_text().strip()
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    again = _production_env(tmp_path / "var", tmp_path / "static")
    assert again["DJANGO_SECRET_KEY"] == env["DJANGO_SECRET_KEY"]


def test_a_secret_key_given_by_the_caller_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "given-" + "x" * 60)
    base = {**os.environ, "TCI_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        ["bash", "-c", 'source scripts/production_env.sh && printf %s "$DJANGO_SECRET_KEY"'],
        cwd=ROOT, env=base, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert result.stdout == "given-" + "x" * 60
    assert not (tmp_path / "var" / "secret_key").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local http)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(static_root, tmp_path_factory):
    """gunicorn as run.sh starts it, on a free port of 127.0.0.1."""
    env = _production_env(tmp_path_factory.mktemp("var"), static_root)
    port = _free_port()
    log = tmp_path_factory.mktemp("log") / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--no-control-socket"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + log.read_text())
                time.sleep(0.2)
        yield base, static_root
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_404_does_not_list_the_url_patterns(server):
    base, _ = server
    status, _headers, body = _get(base + "/no-such-page/")
    text = body.decode()
    assert status == 404
    assert 'data-testid="not-found"' in text
    assert "URLconf" not in text
    assert "api/schema/" not in text


def test_the_login_page_is_served_with_cookies_usable_over_http(server):
    base, _ = server
    status, headers, body = _get(base + "/login/")
    assert status == 200
    assert "csrftoken=" in headers["Set-Cookie"]
    assert "Secure" not in headers["Set-Cookie"]
    # Pages refer to static files by their hashed names.
    assert "/static/vendor/bootstrap.min." in body.decode()
    assert "/static/vendor/bootstrap.min.css" not in body.decode()


def test_whitenoise_serves_hashed_static_files_for_ever(server):
    base, static_root = server
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    status, headers, body = _get(base + "/static/" + manifest["vendor/htmx.min.js"])
    assert status == 200
    assert body == (ROOT / "static" / "vendor" / "htmx.min.js").read_bytes()
    assert "immutable" in headers["Cache-Control"]


def test_only_the_plain_http_relaxations_differ_from_a_clean_deploy_check(tmp_path):
    """check --deploy with run.sh's environment warns about exactly what plain http needs."""
    env = _production_env(tmp_path / "var", tmp_path / "static")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"\(security\.(W\d+)\)", result.stdout + result.stderr))
    # HSTS, https redirect, Secure session cookie, Secure CSRF cookie.
    assert warnings == {"W004", "W008", "W012", "W016"}
