"""Settings: one object, read from the environment, typed, secrets kept out of sight."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from ronbun.errors import InvalidSettings
from ronbun.settings import _ENV, Secret, Settings, from_env, get_settings


def test_environment_strings_become_typed_values():
    s = from_env({"RONBUN_QA_COUNT": "4", "RONBUN_ARXIV_TIMEOUT": "8", "RONBUN_METADATA_TTL_HOURS": "0.5",
                  "RONBUN_PDF_MAX_BYTES": "1048576", "RONBUN_TABLE": "papers"})
    assert (s.qa_count, s.arxiv_timeout, s.metadata_ttl_hours, s.pdf_max_bytes, s.table_name) == (
        4, 8.0, 0.5, 1048576, "papers")
    assert isinstance(s.qa_count, int) and isinstance(s.arxiv_timeout, float)


def test_unset_and_empty_variables_keep_the_defaults():
    s = from_env({"RONBUN_QA_COUNT": "", "RONBUN_ENGINE": ""})
    assert (s.qa_count, s.engine, s.openai_api_key) == (Settings().qa_count, None, None)


@pytest.mark.parametrize("name, value, kind_ja", [
    ("RONBUN_QA_COUNT", "six", "整数"),
    ("RONBUN_QA_COUNT", "2.5", "整数"),
    ("RONBUN_DAILY_CAP", "true", "整数"),
    ("RONBUN_ARXIV_TIMEOUT", "soon", "数値"),
    ("RONBUN_ARXIV_TIMEOUT", "nan", "数値"),
    ("RONBUN_ARXIV_MIN_INTERVAL", "inf", "数値"),
])
def test_a_value_of_the_wrong_type_is_an_error_naming_the_variable(name, value, kind_ja):
    with pytest.raises(InvalidSettings) as err:
        from_env({name: value})
    assert name in err.value.message and repr(value) in err.value.message
    assert name in err.value.message_ja and kind_ja in err.value.message_ja
    assert err.value.code == "invalid_settings"


def test_keyword_values_are_converted_like_environment_values():
    s = Settings(qa_count="3", arxiv_timeout=5, openai_api_key="sk-test-1")
    assert (s.qa_count, s.arxiv_timeout) == (3, 5.0)
    assert s.openai_api_key.get_secret_value() == "sk-test-1"
    with pytest.raises(InvalidSettings):
        Settings(table_name=None)


def test_secrets_never_show_in_a_repr_or_a_message():
    s = from_env({"OPENAI_API_KEY": "sk-live-abcdef", "RONBUN_API_KEY": "local-key-123"})
    assert s.openai_api_key.get_secret_value() == "sk-live-abcdef"
    assert s.api_key.get_secret_value() == "local-key-123"
    for shown in (repr(s), str(s), f"{s.openai_api_key}", repr(s.api_key)):
        assert "sk-live-abcdef" not in shown and "local-key-123" not in shown
    with pytest.raises(InvalidSettings) as err:
        Settings(openai_api_key=12345)
    assert "12345" not in err.value.message


def test_secrets_compare_by_value_and_an_empty_one_is_falsy():
    assert Secret("a") == Secret("a") != Secret("b")
    assert not Secret("") and Secret("x")
    assert Secret(Secret("k")).get_secret_value() == "k"


def test_the_default_engine_follows_the_key():
    assert from_env({}).default_engine == "offline"
    assert from_env({"OPENAI_API_KEY": "sk-x"}).default_engine == "openai"
    assert from_env({"OPENAI_API_KEY": "sk-x", "RONBUN_ENGINE": "offline"}).default_engine == "offline"


def test_settings_are_immutable_and_replace_converts_again():
    s = Settings()
    with pytest.raises(AttributeError):
        s.qa_count = 2          # the process-wide settings object is shared
    assert replace(s, qa_count="2").qa_count == 2


def test_every_setting_has_a_variable_and_a_description():
    for f in fields(Settings):
        assert _ENV.get(f.name, "").isupper(), f.name
        assert f.metadata.get("description"), f.name


def test_get_settings_reads_the_environment_once(monkeypatch):
    monkeypatch.setenv("RONBUN_QA_COUNT", "2")
    first = get_settings()
    monkeypatch.setenv("RONBUN_QA_COUNT", "9")
    assert get_settings() is first and first.qa_count == 2
    get_settings.cache_clear()
    assert get_settings().qa_count == 9


def test_an_unknown_engine_is_a_clear_settings_error():
    from ronbun.errors import InvalidSettings
    from ronbun.settings import from_env

    with pytest.raises(InvalidSettings) as err:
        from_env({"RONBUN_ENGINE": "bogus"})
    assert "RONBUN_ENGINE" in str(err.value) and err.value.message_ja
    assert from_env({"RONBUN_ENGINE": " OpenAI "}).engine == "openai"
