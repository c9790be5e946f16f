"""Hostile or broken YAML: alias bombs, duplicate keys and non-UTF-8 bytes are one-line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prodsmoke.config.loader import read_yaml, read_yaml_documents
from prodsmoke.config.monitoring import load_monitoring
from prodsmoke.errors import ConfigError
from tests.smoke_cli import REPO, smoke

ENV = {"SMOKE_TEST_PASSWORD": "correct-horse-battery", "SMOKE_DEMO_URL": "http://127.0.0.1:9"}


def billion_laughs() -> str:
    """Nine levels of nine aliases: 9**9 strings once expanded, a few hundred bytes on disk."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A copy of the shipped config root."""
    root = tmp_path / "config"
    shutil.copytree(REPO / "config", root)
    return root


def one_error(file: Path) -> str:
    with pytest.raises(ConfigError) as info:
        read_yaml(file)
    message = str(info.value)
    assert "\n" not in message
    return message.replace(str(file), "FILE")


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    file = tmp_path / "bomb.yaml"
    file.write_text(billion_laughs())
    assert one_error(file) == (
        "FILE:1:1: aliases expand this document to 490329064 values, more than the 100000 "
        "allowed; write the repeated parts out, or use fewer aliases"
    )


def test_a_few_aliases_and_merge_keys_still_work(tmp_path: Path) -> None:
    file = tmp_path / "ok.yaml"
    file.write_text("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\nlist: [*b, *b]\n")
    assert read_yaml(file) == {
        "base": {"x": 1, "y": 2},
        "other": {"x": 3, "y": 2},
        "list": [{"x": 1, "y": 2}, {"x": 1, "y": 2}],
    }


def test_a_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    file = tmp_path / "dup.yaml"
    file.write_text("name: demo\nretry:\n  attempts: 3\n  attempts: 1\nbase_url: x\n")
    assert one_error(file) == (
        "FILE:4:3: duplicate key 'attempts' (first at line 3, again at line 4); give each key once"
    )


def test_non_utf8_bytes_name_the_offset(tmp_path: Path) -> None:
    file = tmp_path / "latin1.yaml"
    file.write_bytes("name: demo\n# café\n".encode("latin-1"))
    assert one_error(file) == ("FILE:2: not UTF-8: byte 0xe9 at offset 16; save the file as UTF-8")


def test_the_schedule_reader_is_hardened_too(tmp_path: Path) -> None:
    file = tmp_path / "template.yaml"
    file.write_text("Resources:\n  A: !Ref B\n  A: !Ref C\n")
    with pytest.raises(
        ConfigError, match=r"duplicate key 'A' \(first at line 2, again at line 3\)"
    ):
        read_yaml_documents(file, any_tags=True)
    file.write_text("Resources:\n  A: !Ref B\n---\nx: 1\n")
    assert read_yaml_documents(file, any_tags=True) == [
        {"Resources": {"A": {"Ref": "B"}}},
        {"x": 1},
    ]


def test_other_config_files_use_the_same_reader(config: Path) -> None:
    file = config / "monitoring-integration.yaml"
    file.write_text("reporters: [history]\nmetric_prefix: a\nmetric_prefix: b\n")
    with pytest.raises(ConfigError, match=r":3:1: duplicate key 'metric_prefix' \(first at line 2"):
        load_monitoring(config)


@pytest.mark.parametrize("command", ["check-config", "run"])
@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (billion_laughs().encode(), "aliases expand this document to 490329064 values"),
        (b"name: demo\nbase_url: http://a\nbase_url: http://b\n", "duplicate key 'base_url'"),
        ("name: demo\nbase_url: http://caf\xe9\n".encode("latin-1"), "not UTF-8: byte 0xe9"),
    ],
)
def test_the_cli_ends_with_one_line_and_exit_2(
    config: Path, command: str, content: bytes, phrase: str
) -> None:
    (config / "environments" / "demo.yaml").write_bytes(content)
    proc = smoke(command, "--env", "demo", "--config", str(config), env=ENV, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and phrase in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
