"""The command line: exit codes, where output goes, malformed input, --help, the real script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import trustme
from e2ekit import LibraryFactory, RunCli, only, validate_report
from sitekit import Site

from linkcheck.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def ok_library(library: LibraryFactory, site: Site) -> Path:
    return library([{"title": "Fine", "webUrl": "{s}/ok"}], s=site)


# --------------------------------------------------------------------------- exit codes


def test_exit_0_when_all_ok(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = ok_library(library, site)
    r = run_cli(folder)
    assert r.code == 0
    assert r.out.startswith("linkcheck: no broken links\n")
    assert f"JSON report: {r.report_path}" in r.out
    assert r.err == ""
    assert r.report["run"]["interrupted"] is False
    assert r.report["run"]["inputs"] == [str(folder)]


def test_exit_1_when_broken(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    folder = library([{"title": "Gone", "webUrl": "{s}/status/404"}], s=site)
    r = run_cli(folder)
    assert r.code == 1
    assert r.out.startswith("linkcheck: 1 broken link\n")


def test_exit_2_missing_path(tmp_path: Path, run_cli: RunCli) -> None:
    r = run_cli(tmp_path / "nope")
    assert r.code == 2
    assert r.report is None
    assert "no such file or directory" in r.err and str(tmp_path / "nope") in r.err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--timeout", "abc"], "invalid float value"),
        (["--concurrency", "0"], "concurrency must be more than zero"),
        (["--timeout", "-1"], "timeout must be more than zero"),
        (["--dimension-tolerance", "lots"], "dimension tolerance 'lots' is not a number"),
        (["--exclude", "("], "not a valid regular expression"),
        (["--header", "no-colon"], "is not of the form"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_exit_2_bad_flag(
    flags: list[str], message: str, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    r = run_cli(ok_library(library, site), *flags)
    assert r.code == 2
    assert message in r.err
    assert r.report is None
    assert site.log == []  # nothing was checked


def test_exit_2_bad_config_file(
    tmp_path: Path, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("concurrency = 5\ntimeuot = 3\n", encoding="utf-8")
    r = run_cli(ok_library(library, site), "--config", config)
    assert r.code == 2
    assert "configuration error" in r.err and "'timeuot'" in r.err and str(config) in r.err
    assert r.report is None

    broken_toml = tmp_path / "broken.toml"
    broken_toml.write_text("concurrency = \n", encoding="utf-8")
    r = run_cli(ok_library(library, site), "--config", broken_toml)
    assert (r.code, "not valid TOML" in r.err) == (2, True)

    r = run_cli(ok_library(library, site), "--config", tmp_path / "missing.toml")
    assert (r.code, "cannot read config file" in r.err) == (2, True)


def test_config_file_is_used_and_flags_win(
    tmp_path: Path, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    config = tmp_path / "linkcheck.toml"
    config.write_text(
        "host-rate = 40\nmax_redirects = 1\nexclude = ['/status/']\n", encoding="utf-8"
    )
    folder = library(
        [{"title": "a", "webUrl": "{s}/status/404"}, {"title": "b", "webUrl": "{s}/redirect/2"}],
        s=site,
    )
    r = run_cli(
        folder,
        "--config",
        config,
        "--max-redirects",
        "5",
        "--timeout",
        "2",
        "--allow-private",
        fast=False,
    )
    options = r.report["run"]["options"]
    assert options["host_rate"] == 40 and options["max_redirects"] == 5
    assert options["exclude"] == ["/status/"]
    assert r.link(site.url("/status/404"))["reason"] == "excluded"
    assert r.link(site.url("/redirect/2"))["outcome"] == "ok"
    assert f"settings from: {config}" in r.out
    assert r.code == 0


def test_config_is_discovered_from_the_library_not_the_cwd(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    """`linkcheck run /srv/content` from cron in / uses /srv/content/linkcheck.toml."""
    folder = library(
        {
            "news/a.md": {"title": "a", "webUrl": "{s}/status/404"},
            "news/b.md": {"title": "b", "webUrl": "{s}/ok"},
        },
        s=site,
    )
    config = folder / "linkcheck.toml"
    config.write_text("exclude = ['/status/']\nverbose = true\n", encoding="utf-8")
    r = run_cli(folder / "news")  # the fixture runs from an empty working directory
    assert Path.cwd() != folder
    assert r.link(site.url("/status/404"))["reason"] == "excluded"
    assert site.requests("/status/404") == []
    assert r.code == 0
    assert r.out.rstrip().endswith(f"settings from: {config}")
    assert r.report["run"]["config_file"] == str(config)
    assert r.report["run"]["options"]["exclude"] == ["/status/"]


def test_config_in_pyproject_above_the_library(
    tmp_path: Path, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    project = tmp_path / "project"
    folder = library([{"title": "a", "webUrl": "{s}/status/404"}], name="project/content", s=site)
    (project / ".git").mkdir()
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'site'\n\n[tool.linkcheck]\nexclude = ['/status/']\n",
        encoding="utf-8",
    )
    r = run_cli(folder)
    assert r.code == 0 and r.link(site.url("/status/404"))["reason"] == "excluded"
    assert r.report["run"]["config_file"] == f"{project / 'pyproject.toml'} [tool.linkcheck]"


def test_output_and_quiet_from_the_config_file(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library([{"title": "Gone", "webUrl": "{s}/status/404"}], s=site)
    (folder / "reports").mkdir()
    (folder / "linkcheck.toml").write_text(
        "output = 'reports/links.json'\nquiet = true\n", encoding="utf-8"
    )
    r = run_cli(folder, output=False)  # no -o: the file's output, relative to the file
    assert (r.code, r.out, r.err) == (1, "", "")
    data = json.loads((folder / "reports" / "links.json").read_text(encoding="utf-8"))
    assert data["links"][0]["http_status"] == 404
    assert not (Path.cwd() / "linkcheck-report.json").exists()


def test_config_error_from_a_discovered_file_names_file_and_key(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = ok_library(library, site)
    (folder / "linkcheck.toml").write_text("concurency = 8\n", encoding="utf-8")
    r = run_cli(folder)
    assert r.code == 2 and r.report is None and site.log == []
    assert r.err == (
        f"linkcheck: configuration error: unknown setting 'concurency' in "
        f"{folder / 'linkcheck.toml'} (did you mean 'concurrency'?)\n"
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--ca-bundle", "/nonexistent/corp-ca.pem"], "--ca-bundle: no such file: /nonexistent"),
        (["--proxy", "proxy:3128"], "--proxy must be an http:// or https:// proxy URL such as"),
        (["--connect-timeout", "0"], "--connect-timeout must be more than zero, got 0"),
        (["--dead-host-after", "x"], "invalid int value: 'x'"),
        (["--proxy", "socks5://proxy:1080"], "--proxy must be an http:// or https:// proxy URL"),
    ],
)
def test_exit_2_bad_network_flag(
    flags: list[str], message: str, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    r = run_cli(ok_library(library, site), *flags)
    assert r.code == 2 and message in r.err and r.report is None
    assert site.log == []


def test_new_flags_reach_the_report(
    tmp_path: Path, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    r = run_cli(
        ok_library(library, site),
        *("--no-env", "--connect-timeout", "3", "--dead-host-after", "5"),
        *("--ca-bundle", ca),
    )
    options = r.report["run"]["options"]
    assert options["use_env"] is False and options["ca_bundle"] == str(ca)
    assert options["connect_timeout"] == 3 and options["dead_host_after"] == 5
    assert "output" not in options and "config_file" not in options
    assert r.report["run"]["config_file"] is None


# --------------------------------------------------------------------------- output


def test_output_dash_json_on_stdout_summary_on_stderr(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library([{"title": "Gone", "webUrl": "{s}/status/410"}], s=site)
    r = run_cli(folder, output="-")
    assert r.code == 1
    assert r.report is not None  # stdout is exactly the JSON document (validated)
    assert r.report["links"][0]["http_status"] == 410
    assert r.err.startswith("linkcheck: 1 broken link\n")
    assert "JSON report:" not in r.err


def test_default_output_file_in_cwd(site: Site, library: LibraryFactory, run_cli: RunCli) -> None:
    r = run_cli(ok_library(library, site), output=False)
    assert r.code == 0
    assert r.report_path is not None and r.report_path.name == "linkcheck-report.json"
    assert r.report is not None


def test_quiet_prints_nothing_on_success(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    r = run_cli(ok_library(library, site), "--quiet")
    assert (r.code, r.out, r.err) == (0, "", "")
    assert r.report is not None  # the report is still written


def test_report_written_atomically(
    tmp_path: Path, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "links.json"
    target.write_text("old report", encoding="utf-8")
    r = run_cli(ok_library(library, site), output=target)
    assert r.code == 0 and r.report is not None
    assert sorted(os.listdir(out_dir)) == ["links.json"]  # no temp file left behind


def test_unwritable_output_is_exit_2(
    tmp_path: Path, site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    r = run_cli(ok_library(library, site), output=tmp_path / "no" / "such" / "dir.json")
    assert r.code == 2
    assert "cannot write the report" in r.err


def test_text_summary_groups_broken_links_by_file(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library(
        {
            "b.md": {"title": "B", "webUrl": "{s}/status/404", "ampWebUrl": "{s}/ok"},
            "a.md": {
                "title": "A",
                "webUrl": "{s}/ok",
                "related": [{"title": "R", "webUrl": "{s}/status/410"}],
                "_body": "Text with [a dead link]({s}/status/404).\n",
            },
        },
        s=site,
    )
    r = run_cli(folder, "--verbose")
    assert r.code == 1
    out = r.out
    a, b = "a.md", "b.md"  # named relative to the input folder
    assert out.index(f"\n{a}\n") < out.index(f"\n{b}\n")  # files sorted
    section_a = out[out.index(f"\n{a}\n") : out.index(f"\n{b}\n")]
    assert re.search(r"related\[0\]\.webUrl:\d+ +" + re.escape(site.url("/status/410")), section_a)
    dead = re.escape(site.url("/status/404"))
    assert re.search(r"body:\d+ +" + dead + r".*http_status", section_a)
    section_b = out[out.index(f"\n{b}\n") :]
    assert re.search(r"webUrl:\d+ +" + re.escape(site.url("/status/404")), section_b)
    assert "Broken links (2), by file:" in out  # 2 unique URLs, 3 citations
    assert site.url("/ok") not in out


# --------------------------------------------------------------------------- malformed input


def test_malformed_files_are_problems_not_crashes(
    site: Site, library: LibraryFactory, run_cli: RunCli
) -> None:
    folder = library(
        {
            "good.md": {"title": "Good", "webUrl": "{s}/ok"},
            "invalid_yaml.md": '---\ntitle: "unclosed\nwebUrl: "{s}/status/404"\n---\nbody\n',
            "no_front_matter.md": "# Just text\n\nwith [a link]({s}/status/404)\n",
            "not_utf8.md": b'---\ntitle: "Caf\xe9"\nwebUrl: "http://127.0.0.1:1/x"\n---\n',
            "list.md": "---\n- a\n- b\n---\n",
            "wrong_type.md": (
                '---\ntitle: "Wrong"\nwebUrl: 42\nimages: "{s}/files/png_pil.png"\n---\n'
            ),
            "bad_size.md": {
                "title": "Bad size",
                "images": [{"url": "{s}/files/png_pil.png", "width": "wide", "height": 48}],
            },
        },
        s=site,
    )
    r = run_cli(folder)
    assert r.code == 0  # only links decide the exit code; the good links are fine
    reasons = {(Path(p["file"]).name, p["reason"]) for p in r.problems}
    assert reasons >= {
        ("invalid_yaml.md", "invalid_yaml"),
        ("no_front_matter.md", "no_front_matter"),
        ("not_utf8.md", "not_utf8"),
        ("list.md", "not_a_mapping"),
        ("wrong_type.md", "wrong_type"),
        ("bad_size.md", "invalid_declared_size"),
    }, reasons
    for p in r.problems:
        assert p["message"], p
        assert p["file"] == Path(p["file"]).name  # relative to the input folder
    yaml_problem = only([p for p in r.problems if p["reason"] == "invalid_yaml"])
    assert yaml_problem["line"] == 3 and "line 3" in yaml_problem["message"]
    size_problem = only([p for p in r.problems if p["reason"] == "invalid_declared_size"])
    assert size_problem["field"] == "images[0]" and "width" in size_problem["message"]

    assert r.link(site.url("/ok"))["outcome"] == "ok"
    png = r.link(site.url("/files/png_pil.png"))  # still checked, cited by two files
    assert png["outcome"] == "ok" and len(png["sources"]) == 2
    assert all(s["matches"] is None for s in png["sources"])
    assert site.requests("/status/404") == []  # links of unparseable files are not checked
    summary = r.report["summary"]
    assert summary["files"] == 7 and summary["articles"] == 3
    assert summary["problems"] == len(r.problems)
    assert "Input problems" in r.out and "invalid_yaml" in r.out


# --------------------------------------------------------------------------- --help and the script


def test_readme_help_block_matches_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- help:start -->\n```\n(.*?)```\n<!-- help:end -->", readme, re.S)
    assert block is not None, "README.md has no help block"
    assert main(["run", "--help"]) == 0
    assert capsys.readouterr().out == block.group(1)


def test_main_returns_exit_codes_instead_of_raising(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["run", "--timeout", "abc", "x"]) == 2
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "invalid float value: 'abc'" in err and "Traceback" not in err


def test_python_m_linkcheck_subprocess(tmp_path: Path, site: Site, library: LibraryFactory) -> None:
    folder = library(
        [{"title": "a", "webUrl": "{s}/ok"}, {"title": "b", "webUrl": "{s}/status/404"}], s=site
    )
    report = tmp_path / "sub.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "linkcheck",
            "run",
            str(folder),
            "-o",
            str(report),
            "--timeout",
            "2",
            "--retries",
            "0",
            "--allow-private",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("linkcheck: 1 broken link")
    data = validate_report(json.loads(report.read_text(encoding="utf-8")))
    outcomes = {lk["url"]: lk["outcome"] for lk in data["links"]}
    assert outcomes == {site.url("/ok"): "ok", site.url("/status/404"): "broken"}

    version = subprocess.run(
        [sys.executable, "-m", "linkcheck", "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert version.returncode == 0 and version.stdout.startswith("linkcheck ")
