"""Where a run's shard comes from (`linkcheck.shard.resolve`): --shard, the environment of a
Kubernetes Indexed Job or a CI matrix, the config file; and clear errors when they disagree."""

from __future__ import annotations

from typing import Any

import pytest

from linkcheck.config import Config
from linkcheck.errors import ConfigError
from linkcheck.shard import resolve


def _resolve(
    *,
    flag_shard: str | None = None,
    flag_shards: int | None = None,
    file_shard: tuple[int, int] | None = None,
    file_shards: int = 0,
    env: dict[str, str] | None = None,
) -> tuple[tuple[int, int] | None, str | None]:
    """As build_config leaves it: a flag's value wins over the file's in the Config."""
    shard = file_shard
    if flag_shard is not None:
        k, n = flag_shard.split("/")
        shard = (int(k), int(n))
    config = Config(shard=shard, shards=flag_shards or file_shards, config_file="lc.toml")
    flags: dict[str, Any] = {"shard": flag_shard, "shards": flag_shards}
    resolved, source = resolve(config, flags, env or {})
    return resolved.shard, source


def test_unsharded_by_default() -> None:
    assert _resolve() == (None, None)
    # an index alone (a Job that is not linkcheck's, a matrix for something else): no N, ignored
    assert _resolve(env={"JOB_COMPLETION_INDEX": "3"}) == (None, None)


def test_the_flag() -> None:
    assert _resolve(flag_shard="2/4") == ((2, 4), "--shard")
    assert _resolve(flag_shard="2/4", flag_shards=4) == ((2, 4), "--shard")


def test_the_flag_wins_over_the_environment_and_the_file() -> None:
    env = {"LINKCHECK_SHARD": "3/4", "JOB_COMPLETION_INDEX": "0"}
    assert _resolve(flag_shard="2/4", env=env, file_shard=(1, 4)) == ((2, 4), "--shard")


def test_kubernetes_indexed_job_counts_from_zero() -> None:
    env = {"JOB_COMPLETION_INDEX": "0"}
    assert _resolve(flag_shards=4, env=env) == ((1, 4), "JOB_COMPLETION_INDEX=0 and --shards")
    env = {"JOB_COMPLETION_INDEX": "3"}
    shard, source = _resolve(file_shards=4, env=env)
    assert shard == (4, 4) and source == "JOB_COMPLETION_INDEX=3 and shards in the config file"


def test_a_ci_matrix_index_counts_from_one() -> None:
    assert _resolve(flag_shards=3, env={"LINKCHECK_SHARD_INDEX": "3"})[0] == (3, 3)
    # both set and saying the same shard: fine
    env = {"LINKCHECK_SHARD_INDEX": "2", "JOB_COMPLETION_INDEX": "1"}
    assert _resolve(flag_shards=3, env=env)[0] == (2, 3)


def test_linkcheck_shard_variable() -> None:
    assert _resolve(env={"LINKCHECK_SHARD": "2/5"}) == ((2, 5), "LINKCHECK_SHARD")
    # the environment wins over the config file's shard
    assert _resolve(env={"LINKCHECK_SHARD": "2/5"}, file_shard=(1, 5))[0] == (2, 5)
    assert _resolve(env={"LINKCHECK_SHARD": " "}, file_shard=(1, 5))[0] == (1, 5)


def test_the_config_file() -> None:
    assert _resolve(file_shard=(3, 4)) == ((3, 4), "shard in lc.toml")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"flag_shard": "2/4", "flag_shards": 3}, "--shard says shard 2/4 but --shards says 3"),
        ({"flag_shards": 4}, "JOB_COMPLETION_INDEX (0 to 3"),  # N but no index
        ({"file_shards": 4}, "shards in the config file 4 needs this run's shard index"),
        ({"flag_shards": 4, "env": {"JOB_COMPLETION_INDEX": "4"}}, "counts from 0 to 3"),
        ({"flag_shards": 4, "env": {"LINKCHECK_SHARD_INDEX": "0"}}, "counts from 1 to 4"),
        ({"flag_shards": 4, "env": {"JOB_COMPLETION_INDEX": "two"}}, "not a whole number"),
        (
            {"flag_shards": 4, "env": {"JOB_COMPLETION_INDEX": "0", "LINKCHECK_SHARD_INDEX": "3"}},
            "name two different shards",
        ),
        ({"env": {"LINKCHECK_SHARD": "5/4"}}, "LINKCHECK_SHARD"),
        ({"env": {"LINKCHECK_SHARD": "half"}}, "must be K/N"),
        ({"flag_shards": 3, "env": {"LINKCHECK_SHARD": "1/4"}}, "but --shards says 3"),
        ({"file_shard": (1, 4), "file_shards": 2}, "shard in lc.toml says shard 1/4"),
    ],
)
def test_inconsistent_values_are_config_errors(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        _resolve(**kwargs)
    assert words in str(caught.value)


def test_a_shards_default_store_is_its_own(tmp_path, monkeypatch) -> None:
    from linkcheck.cli.run import with_state

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    plain = with_state(Config(), ["content"]).state
    assert plain is not None and plain.endswith(".db")
    two = with_state(Config(shard=(2, 4)), ["content"]).state
    assert two == plain.removesuffix(".db") + "-shard-2-of-4.db"
    assert with_state(Config(shard=(3, 4)), ["content"]).state != two
    assert with_state(Config(shard=(2, 4), state="s.db"), ["content"]).state == "s.db"
    assert with_state(Config(shard=(2, 4), use_state=False), ["content"]).state is None
    toml = str(tmp_path / "linkcheck.toml")
    assert with_state(Config(shard=(1, 2), config_file=toml)).state == str(
        tmp_path / ".linkcheck" / "state-shard-1-of-2.db"
    )
