"""`manage.py check --deploy` is clean under production settings, and our own deploy checks
speak up when a production setting is unsafe."""

from __future__ import annotations

from tests.security.helpers import production_env, run

CHECK = (
    "import django; django.setup()\n"
    "from django.core.management import call_command\n"
    "call_command('check', deploy=True, fail_level='WARNING')\n"
)


def deploy_check(env):
    return run(["-c", CHECK], env)


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    done = deploy_check(production_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_development_check_is_clean(tmp_path):
    env = production_env(tmp_path, DEBUG="1", SECRET_KEY=None, BEHIND_TLS=None)
    done = run(["manage.py", "check", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


UNSAFE = {  # each production mistake, and the check that names it
    "CUSTOMER_KEY_SALT": (None, "cpo_portal.W001"),
    "AXES_ENABLED": ("0", "cpo_portal.W002"),
    "CSP_REPORT_ONLY": ("1", "cpo_portal.W003"),
    "CACHE_URL": (None, "cpo_portal.W004"),
    "OCPI_PUBLIC_URL": (None, "roaming.W001"),
    "DEBUG": ("1", "security.W018"),
    "BEHIND_TLS": ("0", "security.W004"),  # and W008, W012, W016 (HSTS, redirect, cookies)
    "SECRET_KEY": ("short", "security.W009"),
    "SECRET_KEY_FALLBACKS": ("weak", "security.W025"),
}


def test_deploy_check_names_every_unsafe_setting(tmp_path):
    overrides = {name: value for name, (value, _) in UNSAFE.items()}
    done = deploy_check(production_env(tmp_path, **overrides))
    assert done.returncode != 0
    reported = {code for _, code in UNSAFE.values() if f"({code})" in done.stderr}
    assert reported == {code for _, code in UNSAFE.values()}
    for code in ("security.W008", "security.W012", "security.W016"):
        assert f"({code})" in done.stderr


def test_opting_out_of_hsts_preload_is_a_decision_not_a_warning(tmp_path):
    done = deploy_check(production_env(tmp_path, SECURE_HSTS_PRELOAD="0"))
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (1 silenced)." in done.stdout


def test_private_callbacks_in_production_are_named(tmp_path):
    done = deploy_check(production_env(tmp_path, BECKN_ALLOW_PRIVATE_CALLBACKS="1"))
    assert done.returncode != 0
    assert "(beckn.W002) BECKN_ALLOW_PRIVATE_CALLBACKS is on with DEBUG off" in done.stderr


def test_private_callbacks_in_development_are_not_a_deploy_warning(tmp_path):
    env = production_env(tmp_path, DEBUG="1", BECKN_ALLOW_PRIVATE_CALLBACKS="1")
    done = deploy_check(env)
    assert "beckn.W002" not in done.stderr
