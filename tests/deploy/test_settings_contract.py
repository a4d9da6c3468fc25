"""deploy/ against the settings contract: env.example lists every setting that backend/settings.py reads
(and nothing else) and ships no key; compose, systemd, nginx and Prometheus files parse and only name what
exists; `manage.py check --deploy` passes with env.example's values and the two keys an operator makes."""

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from backend.core import metrics
from backend.core.keys import key_generate
from tests.live import ROOT

pytestmark = pytest.mark.deploy

pytestmark = pytest.mark.deploy

DEPLOY = ROOT / "deploy"
SETTINGS = ROOT / "backend" / "settings.py"
# Variables of deploy/compose.yaml that are not Vigie settings (the PostgreSQL container's password).
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}
APP_SERVICES = {"migrate", "daphne1", "daphne2", "worker1", "worker2", "static"}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def settings_contract() -> set[str]:
    """Every environment variable that backend/settings.py reads."""
    source = SETTINGS.read_text()
    names = set(re.findall(r'env_[a-z]+\(\s*"([A-Z][A-Z0-9_]*)"', source))
    names |= set(re.findall(r'os\.environ(?:\.get)?[\[(]\s*"([A-Z][A-Z0-9_]*)"', source))
    return names


def env_example() -> tuple[dict[str, str], set[str]]:
    """(assignments that are set, every name documented — set or commented as optional)."""
    values: dict[str, str] = {}
    documented: set[str] = set()
    for line in (DEPLOY / "env.example").read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            documented.add(match.group(2))
            if not match.group(1):
                values[match.group(2)] = match.group(3)
    return values, documented


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_contract_is_read_from_settings():
    contract = settings_contract()
    assert {
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "METRICS_TOKEN",
        "LOG_FORMAT",
        "MEDIA_STORAGE",
    } <= contract
    assert len(contract) > 40


def test_env_example_documents_every_setting_and_only_settings():
    _values, documented = env_example()
    contract = settings_contract()
    missing = contract - documented
    assert missing == set(), (
        f"backend/settings.py reads {sorted(missing)}: document them in deploy/env.example "
        "(`# NAME=<default>` with a comment when optional)"
    )
    assert documented - contract - COMPOSE_ONLY == set(), "deploy/env.example names unknown settings"


def check_deploy(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy` with env.example's values, the two keys filled in as the file says (plus
    `overrides`), only the folders moved to the test's own."""
    values, _documented = env_example()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        **values,
        "SECRET_KEY": key_generate(),
        "JWT_SIGNING_KEY": key_generate(),
        **overrides,
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_passes_check_deploy(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_configuration(tmp_path):
    """The check above can fail: DEBUG on is reported."""
    result = check_deploy(tmp_path, DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_env_example_ships_no_key_and_refuses_to_start_as_shipped(tmp_path):
    values, _documented = env_example()
    assert values["DEBUG"] == "0"
    assert values["SECRET_KEY"] == ""
    assert values["JWT_SIGNING_KEY"] == ""
    text = (DEPLOY / "env.example").read_text()
    assert "manage.py generate_secret_key" in text
    result = check_deploy(tmp_path, SECRET_KEY="", JWT_SIGNING_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "JWT_SIGNING_KEY is not set" in result.stderr


# --- compose -------------------------------------------------------------------------------------


def test_compose_has_every_service_of_a_production_install():
    services = compose()["services"]
    assert {"postgres", "redis", "daphne1", "daphne2", "worker1", "worker2", "nginx"} <= set(services)
    for name in ("daphne1", "daphne2"):
        command = services[name]["command"]
        assert command[:3] == ["python", "-m", "backend.core.serve"]
        assert "--proxy-headers" in command
        drain = float(command[command.index("--drain-timeout") + 1])
        assert float(services[name]["stop_grace_period"].rstrip("s")) > drain
    for name in ("worker1", "worker2"):
        assert services[name]["command"] == ["python", "manage.py", "run_worker"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_compose_builds_one_image_from_deploy_dockerfile():
    services = compose()["services"]
    for name in APP_SERVICES:
        assert services[name]["image"] == "vigie:latest"
        assert services[name]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.MULTILINE):
        assert (ROOT / source).exists(), f"Dockerfile copies a missing {source}"
    assert "backend.core.serve" in dockerfile


def test_compose_names_only_settings_of_the_contract():
    contract = settings_contract()
    services = compose()["services"]
    for name in APP_SERVICES:
        environment = services[name].get("environment", {})
        assert set(environment) - contract == set(), f"{name} sets unknown variables"
        assert services[name]["env_file"] == ".env"
    text = (DEPLOY / "compose.yaml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert interpolated - contract - COMPOSE_ONLY == set()


def test_compose_services_named_elsewhere_exist():
    services = compose()["services"]
    upstream = (DEPLOY / "nginx" / "compose-upstream.conf").read_text()
    for host in re.findall(r"server (\w+):\d+", upstream):
        assert host in services
    app_env = services["daphne1"]["environment"]
    assert "@postgres:5432/" in app_env["DATABASE_URL"]
    assert app_env["REDIS_URL"].startswith("redis://redis:")
    for name, service in services.items():
        for dependency in service.get("depends_on", []) or []:
            assert dependency in services, f"{name} depends on a missing {dependency}"
    mounts = " ".join(services["nginx"]["volumes"])
    assert "./nginx/vigie.conf:" in mounts
    assert "./nginx/compose-upstream.conf:/etc/nginx/vigie-upstream.conf" in mounts


# --- systemd -------------------------------------------------------------------------------------


def unit(name: str) -> configparser.ConfigParser:
    # systemd allows repeated keys (Environment=): the last one wins here, enough for these checks.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


def test_systemd_units_run_the_documented_commands_and_restart():
    daphne = unit("vigie-daphne@.service")["Service"]
    worker = unit("vigie-worker.service")["Service"]
    for service in (daphne, worker):
        assert service["EnvironmentFile"] == "/etc/vigie/vigie.env"
        assert service["Restart"] == "always"
        assert service["User"] == "vigie"
        assert service["KillSignal"] == "SIGTERM"
    assert "-m backend.core.serve" in daphne["ExecStart"]
    assert "--port %i" in daphne["ExecStart"]
    drain_option = re.search(r"--drain-timeout (\d+)", daphne["ExecStart"])
    assert drain_option is not None
    drain = float(drain_option.group(1))
    assert float(daphne["TimeoutStopSec"]) > drain
    assert worker["ExecStart"].endswith("manage.py run_worker")
    wants = unit("vigie.target")["Unit"]["Wants"].split()
    assert wants == ["vigie-daphne@8001.service", "vigie-daphne@8002.service", "vigie-worker.service"]
    vm_upstream = (DEPLOY / "nginx" / "upstream-vm.conf").read_text()
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", vm_upstream) == ["8001", "8002"]
    timer = unit("vigie-backup.timer")["Timer"]
    assert timer["OnCalendar"]
    assert unit("vigie-backup.service")["Service"]["ExecStart"].endswith("deploy/backup/vigie-backup.sh")


# --- nginx ---------------------------------------------------------------------------------------


def nginx_test_config(tmp_path: Path, upstream: str) -> Path:
    """The site file as shipped, with the certificate, log and upstream paths moved under tmp_path."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=vigie.example.fr",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    (tmp_path / "upstream.conf").write_text(upstream)
    site = (DEPLOY / "nginx" / "vigie.conf").read_text()
    site = site.replace("/etc/nginx/tls/", f"{tmp_path}/")
    site = site.replace("/etc/nginx/vigie-upstream.conf", str(tmp_path / "upstream.conf"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path};\n  proxy_temp_path {tmp_path};\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    return main


def test_nginx_site_is_valid_for_debians_nginx(tmp_path):
    assert Path(NGINX).exists(), "nginx is missing: `make nginx` installs Debian's nginx-light"
    for upstream in ("upstream-vm.conf", "compose-upstream.conf"):
        text = (DEPLOY / "nginx" / upstream).read_text()
        if "daphne1" in text:  # container names only resolve inside compose
            text = text.replace("daphne1:8000", "127.0.0.1:8001").replace("daphne2:8000", "127.0.0.1:8002")
        folder = tmp_path / upstream.split(".")[0]
        folder.mkdir()
        config = nginx_test_config(folder, text)
        result = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "test is successful" in result.stderr


def test_nginx_site_proxies_websockets_uploads_and_static_files():
    site = (DEPLOY / "nginx" / "vigie.conf").read_text()
    assert "client_max_body_size 60m;" in site
    assert re.search(r"location /ws/ \{[^}]*proxy_set_header Upgrade \$http_upgrade;", site)
    assert re.search(r"location /ws/ \{[^}]*proxy_set_header Connection \$connection_upgrade;", site)
    assert "alias /srv/vigie/static/;" in site
    assert "listen 443 ssl" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    values, _documented = env_example()
    assert values["STATIC_ROOT"].rstrip("/") + "/" == "/srv/vigie/static/"
    assert values["NUM_PROXIES"] == "1"


# --- Prometheus ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_prometheus_rules_parse_and_use_only_exposed_metrics():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exposed = {line.split()[2] for line in metrics.render().splitlines() if line.startswith("# TYPE ")} | {
        "up"
    }
    histogram_series = {f"{name}_bucket" for name in exposed}
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert len(alerts) >= 8
    for rule in alerts:
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert rule["annotations"]["summary"]
        for name in re.findall(r"\b(vigie_[a-z_]+|up)\b", rule["expr"]):
            assert name in exposed | histogram_series, f"{rule['alert']} uses unknown {name}"
    used = " ".join(rule["expr"] for rule in alerts)
    for trouble in (
        "vigie_delivery_oldest_due_age_seconds",
        "vigie_deliveries_dead_last_day",
        "vigie_moderation_queue",
        "vigie_dispatches_overdue",
        "vigie_http_requests_total",
    ):
        assert trouble in used
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = scrape["scrape_configs"][0]["static_configs"][0]["targets"]
    assert targets == ["127.0.0.1:8001", "127.0.0.1:8002"]


def test_systemd_accepts_every_key_of_the_units():
    """systemd-analyze reads the units as systemd would; only the install paths may be missing here."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing"
    units = sorted(str(path) for path in (DEPLOY / "systemd").iterdir())
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, timeout=60)
    output = (result.stdout + result.stderr).splitlines()
    # Allowed: "Command /srv/vigie/venv/bin/python is not executable" (not installed on the test machine).
    problems = [
        line for line in output if any(word in line for word in ("Unknown", "Invalid", "Failed", "rror"))
    ]
    assert problems == [], output
