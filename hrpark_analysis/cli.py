"""The ``hrpark`` command: a thin wrapper over the library (argparse; one function per subcommand).

Contract (other tools and tests depend on these names): ``evaluate``, ``eligibility``, ``applications``,
``policy show|diff``,
``score``, ``check``, ``template``, ``sample``, ``report annual|sensitivity|forecast|certification``,
``report verify DIR`` (exit 0 identical, 1 different, 2 an input missing or changed). Any :class:`HrparkError`
becomes a one-line
message on stderr and its exit code (2 for bad input); nothing is written when an input is bad.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hrpark_analysis import __version__
from hrpark_analysis.errors import HrparkError, InputError, InputErrors


def _policy(args: argparse.Namespace):
    from hrpark_analysis.law.policy import load_policy

    return load_policy(getattr(args, "policy", None), getattr(args, "set", None) or None)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from hrpark_analysis.engine import ledger
    from hrpark_analysis.io import readers as inputs
    from hrpark_analysis.io.tables import output_files, write_csv

    policy = _policy(args)
    parks, evaluations = inputs.read_parks_and_evaluations(args.parks, args.evaluations, policy)
    result = ledger.build(parks, evaluations, policy, evaluations_file=args.evaluations)
    grades = result.grades[ledger.GRADE_COLUMNS]
    extra = [c for c in result.ledger.columns if c not in ledger.LEDGER_COLUMNS]
    book = result.ledger[ledger.LEDGER_COLUMNS + extra]
    with output_files(args.out, ["grades.csv", "ledger.csv"], force=args.force) as tmp:
        write_csv(grades, tmp / "grades.csv")
        write_csv(book, tmp / "ledger.csv")
    _done(
        f"已写入 {Path(args.out) / 'grades.csv'} 和 {Path(args.out) / 'ledger.csv'}"
        f"({len(grades)} 条评估，{len(book)} 条台账)"
    )
    return 0


def cmd_eligibility(args: argparse.Namespace) -> int:
    from hrpark_analysis.io import readers
    from hrpark_analysis.io.tables import output_files, write_csv
    from hrpark_analysis.rules import eligibility

    policy = _policy(args)
    applicants = readers.read_applicants(args.applicants, policy)
    result = eligibility.assess(applicants, **eligibility.rule_arguments(policy))
    with output_files(args.out, ["eligibility.csv"], force=args.force) as tmp:
        write_csv(result, tmp / "eligibility.csv")
    _done(
        f"已写入 {Path(args.out) / 'eligibility.csv'}({int(result['eligible'].sum())}/{len(result)} 符合条件)"
    )
    return 0


def cmd_applications(args: argparse.Namespace) -> int:
    from hrpark_analysis.engine import certification
    from hrpark_analysis.io import readers
    from hrpark_analysis.io.tables import output_files, write_csv

    policy = _policy(args)
    applicants = readers.read_applicants(args.applicants, policy)
    result = certification.round_of(applicants, policy, file=args.applicants)
    with output_files(args.out, ["applications.csv", "new_parks.csv"], force=args.force) as tmp:
        write_csv(result.applications, tmp / "applications.csv")
        write_csv(result.new_parks, tmp / "new_parks.csv")
    stages = result.applications["stage"].value_counts()
    _done(
        f"已写入 {Path(args.out) / 'applications.csv'} 和 {Path(args.out) / 'new_parks.csv'}"
        f"({len(result.applications)} 份申报，授牌 {int(stages.get('certified', 0))}，"
        f"驳回 {int(stages.get('rejected', 0))})"
    )
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    from hrpark_analysis.law.show import show

    print(show(_policy(args), quote=args.quote))
    return 0


def cmd_policy_diff(args: argparse.Namespace) -> int:
    from hrpark_analysis.law.policy import load_policy
    from hrpark_analysis.law.show import diff

    print(diff(load_policy(args.policy), _policy(args)))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from hrpark_analysis.engine import dataset
    from hrpark_analysis.io.tables import output_files, write_csv

    policy = _policy(args)
    scores = dataset.score_year(Path(args.data), args.year, policy, sheet_path=args.sheet)
    with output_files(args.out, ["scores.csv"], force=args.force) as tmp:
        write_csv(scores, tmp / "scores.csv")
    _done(f"已写入 {Path(args.out) / 'scores.csv'}({len(scores)} 个园区，{args.year} 年)")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from hrpark_analysis.engine import sample

    written = sample.write_sample(Path(args.out), seed=args.seed, force=args.force)
    _done(f"示例数据已写入 {args.out}({len(written)} 个文件)")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from hrpark_analysis.engine import explain, ledger
    from hrpark_analysis.io import readers as inputs
    from hrpark_analysis.law.sheet import load_sheet
    from hrpark_analysis.reports import explain as shown

    policy = _policy(args)
    # --sheet stays part of the command line and is still checked; the step of points_to_excellent is the
    # policy's evaluation.score_precision, the precision scores are graded at (issue 12)
    load_sheet(args.sheet, total_points=policy["evaluation.total_points"])
    parks, evaluations = inputs.read_parks_and_evaluations(args.parks, args.evaluations, policy)
    result = ledger.build(parks, evaluations, policy, evaluations_file=args.evaluations)
    item = explain.explain(
        result, parks, policy, args.park, args.year,
        parks_file=args.parks, evaluations_file=args.evaluations,
    )  # fmt: skip
    print(shown.to_json(item) if args.format == "json" else shown.to_text(item))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from hrpark_analysis.engine import dataset

    policy = _policy(args)
    summary = dataset.check(Path(args.data), args.year, policy, sheet_path=args.sheet)
    print(summary)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from hrpark_analysis import labels
    from hrpark_analysis.io import template

    policy = _policy(args)
    written = template.write_templates(
        Path(args.out), policy, year=args.year, sheet_path=args.sheet, force=args.force
    )
    _done(labels.TEMPLATE_WRITTEN.format(out=args.out, n=len(written)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from hrpark_analysis.io.publish import shown_path
    from hrpark_analysis.reports.runner import run_report

    if args.kind == "verify":
        return cmd_report_verify(args)
    if args.folder is not None:
        raise HrparkError(f"多余的参数 {args.folder}(只有 hrpark report verify 需要报告文件夹)")
    overrides = {}
    if args.year is not None:
        overrides["year"] = args.year
    if args.data is not None:
        overrides["data_dir"] = args.data
    if args.params is None and not overrides:
        raise HrparkError("需要 --params 参数文件，或用 --year/--data 直接指定")
    if args.timeout is not None and not args.timeout >= 0:
        raise HrparkError(f"--timeout 应为不小于 0 的秒数(0 表示不限)，实际为 {args.timeout:g}")
    folder = run_report(
        args.kind,
        Path(args.params) if args.params else None,
        out_root=Path(args.out) if args.out else None,
        overrides=overrides,
        force=args.force,
        **({} if args.timeout is None else {"timeout": args.timeout or None}),
    )
    _done(f"报告已生成: {shown_path(folder)}")
    return 0


def _hand_back(args: argparse.Namespace, exc: InputError) -> None:
    """``--errors FILE``: the full list of problems (and, in XLSX, the offending rows) for the district."""
    from hrpark_analysis import labels
    from hrpark_analysis.io.handback import write_errors

    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    path = write_errors(errors, args.errors, force=getattr(args, "force", False))
    _done(labels.ERRORS_WRITTEN.format(path=path))


def _report_error(exc: HrparkError) -> None:
    if isinstance(exc, InputErrors) and len(exc.errors) > 1:
        from hrpark_analysis.io.problems import listing

        lines = listing(exc.errors)
        print(f"hrpark: 错误: {lines[0]}", file=sys.stderr)
        print("\n".join(lines[1:]), file=sys.stderr)
    else:
        print(f"hrpark: 错误: {exc}", file=sys.stderr)


def cmd_report_verify(args: argparse.Namespace) -> int:
    from hrpark_analysis.reports.verify import verify_report

    if args.folder is None:
        raise HrparkError("hrpark report verify 需要报告文件夹，例如 hrpark report verify reports/2025")
    if args.params or args.year is not None or args.data or args.out or args.force:
        raise HrparkError("hrpark report verify 只需要报告文件夹：参数和输入都取自其 manifest.json")
    result = verify_report(Path(args.folder))
    print(result.text())
    return 0 if result.ok else 1


def _done(message: str) -> None:
    print(message, file=sys.stderr)


def _add_policy_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policy", help="policy YAML file (default: the bundled 渝人社发〔2021〕57号 baseline)")
    p.add_argument(
        "--set",
        action="append",
        metavar="K=V",
        default=[],
        help="override a policy parameter, e.g. grading.excellent_share=0.2 (repeatable)",
    )


def _add_errors_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--errors",
        metavar="FILE.xlsx|csv",
        help="on bad input, also write every problem to this file (XLSX: with a copy of the offending rows)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hrpark",
        description="重庆市市级人力资源服务产业园管理办法(试行)(渝人社发〔2021〕57号) policy analysis",
    )
    parser.add_argument("--version", action="version", version=f"hrpark_analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "evaluate", help="grade evaluations (第二十四条) and build the subsidy ledger (第十一条/第二十五条)"
    )
    p.add_argument("--parks", required=True, help="parks CSV/XLSX: park_id, name, district, certified_year")
    p.add_argument("--evaluations", required=True, help="evaluations CSV/XLSX: park_id, year, score")
    _add_policy_options(p)
    p.add_argument("--out", required=True, help="output folder for grades.csv and ledger.csv")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    _add_errors_option(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("eligibility", help="check applicants against 第八条")
    p.add_argument("--applicants", required=True, help="applicants CSV/XLSX")
    _add_policy_options(p)
    p.add_argument("--out", required=True, help="output folder for eligibility.csv")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    _add_errors_option(p)
    p.set_defaults(func=cmd_eligibility)

    p = sub.add_parser(
        "applications", help="the certification round: 申报 → 评估 → 公示 → 授牌 (第八条–第十条)"
    )
    p.add_argument(
        "--applicants", required=True, help="applicants CSV/XLSX, with the optional procedure columns"
    )
    _add_policy_options(p)
    p.add_argument("--out", required=True, help="output folder for applications.csv and new_parks.csv")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    _add_errors_option(p)
    p.set_defaults(func=cmd_applications)

    p = sub.add_parser("policy", help="show the effective policy or a reform's diff")
    psub = p.add_subparsers(dest="policy_command", required=True)
    q = psub.add_parser("show", help="print the effective policy with references")
    _add_policy_options(q)
    q.add_argument(
        "--quote", action="store_true", help="print each entry with the words of the clause it cites"
    )
    q.set_defaults(func=cmd_policy_show)
    q = psub.add_parser("diff", help="print baseline vs reform (--set K=V ...)")
    _add_policy_options(q)
    q.set_defaults(func=cmd_policy_diff)

    p = sub.add_parser("score", help="score a year from a data folder (第二十一条–第二十三条)")
    p.add_argument("--data", required=True, help="data folder laid out like the sample dataset")
    p.add_argument("--year", required=True, type=int, help="evaluation year")
    _add_policy_options(p)
    p.add_argument("--sheet", help="evaluation sheet YAML (default: the bundled illustrative sheet)")
    p.add_argument("--out", required=True, help="output folder for scores.csv")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    _add_errors_option(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("check", help="check a whole data folder without producing any report")
    p.add_argument("--data", required=True, help="data folder laid out like the sample dataset")
    p.add_argument(
        "--year", type=int, help="evaluation year (default: the latest year of the monthly reports)"
    )
    _add_policy_options(p)
    p.add_argument("--sheet", help="evaluation sheet YAML (default: the bundled illustrative sheet)")
    _add_errors_option(p)
    p.add_argument("--force", action="store_true", help="replace an existing --errors file")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("template", help="write fill-in XLSX templates (Chinese headers) for every input file")
    p.add_argument("--out", required=True, help="output folder for the templates")
    p.add_argument(
        "--year", type=int, help="the year the data are for: no year cell after it (default: 2000–2100)"
    )
    _add_policy_options(p)
    p.add_argument(
        "--sheet", help="evaluation sheet YAML: its indicators and monthly fields (default: bundled)"
    )
    p.add_argument("--force", action="store_true", help="replace existing templates")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("sample", help="write a fresh copy of the synthetic sample dataset (示例数据)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=2021, help="random seed (default 2021, the committed dataset)")
    p.add_argument("--force", action="store_true", help="replace existing files")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("explain", help="why a park got its grade and money in a year (第二十四条/第二十五条)")
    p.add_argument("--parks", required=True, help="parks CSV/XLSX: park_id, name, district, certified_year")
    p.add_argument("--evaluations", required=True, help="evaluations CSV/XLSX: park_id, year, score")
    p.add_argument("--park", required=True, help="the park_id to explain")
    p.add_argument("--year", required=True, type=int, help="evaluation year")
    _add_policy_options(p)
    p.add_argument(
        "--sheet",
        help="evaluation sheet YAML, checked (the step of points_to_excellent is evaluation.score_precision)",
    )
    p.add_argument(
        "--format", choices=["text", "json"], default="text", help="Chinese text (default) or JSON"
    )
    _add_errors_option(p)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser(
        "report",
        help="generate a report notebook + HTML + XLSX with papermill; verify DIR re-runs and compares one",
    )
    p.add_argument("kind", choices=["annual", "sensitivity", "forecast", "certification", "verify"])
    p.add_argument(
        "folder", nargs="?", help="verify: the report folder to re-run from its manifest.json and compare"
    )
    p.add_argument("--params", help="parameter YAML, e.g. params/annual-2025.yaml")
    p.add_argument("--out", help="output root (default: the params file's out_root, else reports/)")
    p.add_argument("--year", type=int, help="override the parameter year")
    p.add_argument("--data", help="override the parameter data_dir")
    p.add_argument("--force", action="store_true", help="replace an existing report")
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop the report if one notebook cell runs longer (default: one hour; 0: no bound)",
    )
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        _report_error(exc)
        if getattr(args, "errors", None):
            try:
                _hand_back(args, exc)
            except HrparkError as other:
                _report_error(other)
        return exc.exit_code
    except HrparkError as exc:
        _report_error(exc)
        return exc.exit_code
    except OSError as exc:  # reading or writing a path failed where no module named it: still one line
        from hrpark_analysis.io.publish import os_error

        error = os_error(exc, action="读写")
        print(f"hrpark: 错误: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("hrpark: 已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())  # the installed `hrpark` command is hrpark_analysis.__main__:run
