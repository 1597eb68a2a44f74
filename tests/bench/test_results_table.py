"""bench/harness.results_publish: a run's rows replace that label's rows of its table, nothing is appended."""

import argparse

from bench import harness as h

MACHINE = {
    "revision": "abc1234",
    "date_utc": "2026-12-06 05:00:00 UTC",
    "nproc": 2,
    "cpu": "AMD EPYC 7B13",
    "postgresql": "15.20 (Debian)",
}
PAGE = "# Results\n\nProse before.\n\n<!-- results:demo -->\n<!-- /results:demo -->\n\nProse after.\n"


def publish(path, label: str, rows: list[list[str]], header: tuple[str, ...] = ("case", "per s")) -> None:
    args = argparse.Namespace(write_results=str(path), results_label=label)
    h.results_publish(args, benchmark="demo", machine=MACHINE, header=list(header), rows=rows)


def table_rows(path) -> list[list[str]]:
    block = path.read_text().split("<!-- results:demo -->")[1].split("<!-- /results:demo -->")[0]
    return [h.md_cells(line) for line in block.splitlines() if line.startswith("|")][2:]


def test_a_label_s_rows_are_replaced_and_before_stays_first(tmp_path):
    # Given a page with the demo table's markers
    page = tmp_path / "RESULTS.md"
    page.write_text(PAGE)
    # When an after run, a before run and another after run write their rows
    publish(page, "after", [["a", "1"], ["b", "2"]])
    publish(page, "before", [["a", "3"]])
    publish(page, "after", [["a", "5"]])
    # Then the table holds the before rows first and only the last after run's rows
    machine = "2 × AMD EPYC 7B13, PG 15.20"
    assert table_rows(page) == [
        ["before", "`abc1234`", "2026-12-06 05:00", machine, "a", "3"],
        ["after", "`abc1234`", "2026-12-06 05:00", machine, "a", "5"],
    ]
    # And the prose around the markers is as it was
    text = page.read_text()
    assert text.startswith("# Results\n\nProse before.\n\n<!-- results:demo -->\n| run |")
    assert text.endswith("<!-- /results:demo -->\n\nProse after.\n")


def test_other_columns_replace_the_whole_table(tmp_path):
    # Given a table with a before run's rows
    page = tmp_path / "RESULTS.md"
    page.write_text(PAGE)
    publish(page, "before", [["a", "3"]])
    # When a run writes rows with other columns
    publish(page, "after", [["a", "4", "x"]], header=("case", "per s", "new"))
    # Then only its rows are left, under its header
    assert table_rows(page) == [
        ["after", "`abc1234`", "2026-12-06 05:00", "2 × AMD EPYC 7B13, PG 15.20", "a", "4", "x"]
    ]


def test_a_page_without_the_table_gets_its_section(tmp_path):
    # Given a page without the demo table
    page = tmp_path / "RESULTS.md"
    page.write_text("# Results\n")
    # When a run writes its rows
    publish(page, "current", [["a", "1"]])
    # Then a section with the markers holds them
    assert page.read_text().startswith("# Results\n\n## demo\n\n<!-- results:demo -->\n| run | code |")
    assert [row[0] for row in table_rows(page)] == ["current"]


def test_without_write_results_nothing_is_written(tmp_path, capsys):
    # Given a page
    page = tmp_path / "RESULTS.md"
    page.write_text(PAGE)
    # When a run publishes without --write-results
    args = argparse.Namespace(write_results=None, results_label="current")
    h.results_publish(args, benchmark="demo", machine=MACHINE, header=["case"], rows=[["a"]])
    # Then the page is unchanged and the row is printed
    assert page.read_text() == PAGE
    assert "| current | `abc1234` | 2026-12-06 05:00 | 2 × AMD EPYC 7B13, PG 15.20 | a |" in capsys.readouterr().out
