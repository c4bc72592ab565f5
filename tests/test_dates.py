"""The report date: parameter, then SOURCE_DATE_EPOCH, then 31 December of the report's year — never today."""

import datetime as dt

import pytest

from hrpark_analysis.errors import ParameterError
from hrpark_analysis.reports.dates import chinese, document_date, document_datetime


def test_an_explicit_report_date_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert document_date("2026-03-15", 2025) == dt.date(2026, 3, 15)


def test_source_date_epoch_is_used_when_no_date_is_given(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    assert document_date("", 2025) == dt.date(2026, 1, 1)
    assert document_datetime(None, 2025) == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_without_either_the_date_is_the_end_of_the_report_year(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert document_date(None, 2025) == dt.date(2025, 12, 31)


@pytest.mark.parametrize("bad", ["2025/12/31", "yesterday", "2025-13-01"])
def test_a_malformed_report_date_is_a_parameter_error(bad):
    with pytest.raises(ParameterError, match="report_date"):
        document_date(bad, 2025)


def test_a_malformed_epoch_is_a_parameter_error(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ParameterError, match="SOURCE_DATE_EPOCH"):
        document_date(None, 2025)


def test_the_title_page_writes_the_date_in_chinese():
    assert chinese(dt.date(2026, 1, 5)) == "2026年1月5日"
