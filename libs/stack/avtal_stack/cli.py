"""The `avtal` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from pathlib import Path
from typing import Any

from avtal_common.logging import configure_logging
from avtal_common.settings import CommonSettings
from avtal_stack.config import StackSettings


def add_import_parser(sub: Any) -> None:
    imp = sub.add_parser(
        "import", help="import a products, price-list, customers, covered-items or contracts CSV"
    )
    imp.add_argument("kind", choices=["products", "prices", "customers", "items", "contracts"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--encoding", choices=["utf-8", "windows-1252", "latin-1"], default="utf-8")
    imp.add_argument("--decimal-comma", action="store_true", help="numbers are written 1234,50")
    imp.add_argument("--valid-rows", action="store_true", help="import the valid rows, skip the bad ones")
    imp.add_argument("--dry-run", action="store_true", help="check and report, commit nothing")
    imp.add_argument("--mapping", help='CSV header → field as JSON, e.g. \'{"Artikel": "sku"}\'')
    imp.add_argument("--mapping-name", help="use a mapping saved under this name")
    imp.add_argument("--save-mapping-as", help="save the mapping used under this name")


def import_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "encoding": args.encoding,
        "decimal_comma": args.decimal_comma,
        "mode": "valid_rows" if args.valid_rows else "all_or_nothing",
        "dry_run": args.dry_run,
        "mapping": args.mapping,
        "mapping_name": args.mapping_name,
        "save_mapping_as": args.save_mapping_as,
    }


def main(argv: list[str] | None = None) -> None:
    # platformdirs (imported by a dependency) warns on machines without a login session; harmless.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    parser = argparse.ArgumentParser(prog="avtal", description="Avtal service-contract platform")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the whole platform (embedded servers unless configured)")
    demo = up.add_mutually_exclusive_group()
    demo.add_argument(
        "--demo",
        dest="demo",
        action="store_true",
        default=None,
        help="seed demo data, even into configured servers",
    )
    demo.add_argument("--no-demo", dest="demo", action="store_false", help="do not seed demo data")
    up.add_argument("--port-offset", type=int, default=None, help="add N to every default port")
    sub.add_parser("migrate", help="create databases and apply migrations (AVTAL_POSTGRES_URL)")
    _add_dlq_commands(sub)
    add_import_parser(sub)
    _add_contracts_commands(sub)
    _add_billing_commands(sub)
    _add_reporting_commands(sub)
    args = parser.parse_args(argv)
    common = CommonSettings()
    configure_logging(
        "avtal", "WARNING" if common.log_level.upper() == "INFO" else common.log_level, json=False
    )

    if args.command == "up":
        from avtal_stack.stack import up as run_up

        settings = StackSettings()
        if args.demo is not None:
            settings.seed_demo = args.demo
        if args.port_offset is not None:
            settings.port_offset = args.port_offset
        sys.exit(run_up(settings))
    if args.command == "dlq":
        from avtal_stack.dlq import run as run_dlq

        sys.exit(run_dlq(args))
    if args.command == "import":
        from avtal_stack.importer import run as run_import

        sys.exit(run_import(args.kind, args.file, import_options(args), StackSettings()))
    if args.command == "contracts":
        from avtal_stack.calendar import run as run_calendar

        sys.exit(run_calendar(args.today, args.customer, StackSettings()))
    if args.command == "billing":
        from avtal_stack.billing import run as run_billing

        sys.exit(run_billing(args.as_of, args.key, args.per, StackSettings()))
    if args.command == "reporting":
        from avtal_stack.reporting import rebuild

        sys.exit(rebuild(StackSettings(), args.force))
    if args.command == "migrate":
        from avtal_stack.migrate import migrate_all

        applied = asyncio.run(migrate_all(common.postgres_url))
        for service, ids in applied.items():
            print(f"{service}: {len(ids)} applied" + (f" ({', '.join(ids)})" if ids else ""))


def _add_contracts_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("contracts", help="contracts operations on the running stack")
    cmds = p.add_subparsers(dest="contracts_command", required=True)
    cal = cmds.add_parser("calendar", help="run the daily calendar (status, reminders, renewals) for a day")
    cal.add_argument("--today", help="the day to run as, YYYY-MM-DD (default: today)")
    cal.add_argument("--customer", help="only this customer's contracts (its id)")


def _add_billing_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("billing", help="billing operations on the running stack")
    cmds = p.add_subparsers(dest="billing_command", required=True)
    run = cmds.add_parser("run", help="bill everything due by a day, with progress, totals and failures")
    run.add_argument("--as-of", help="bill what is due by this day, YYYY-MM-DD (default: today)")
    run.add_argument("--key", help="the run's key: the same key again retries its failures")
    run.add_argument("--per", choices=("customer", "contract"), help="one invoice per customer or contract")


def _add_reporting_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("reporting", help="reporting operations on the running stack")
    cmds = p.add_subparsers(dest="reporting_command", required=True)
    rb = cmds.add_parser("rebuild", help="empty the read models and refill them from the start of the topics")
    rb.add_argument(
        "--force",
        action="store_true",
        help="even when the topics hold less than the read models were built from",
    )


def _add_dlq_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("dlq", help="list, show and replay dead letters (<topic>.dlq)")
    cmds = p.add_subparsers(dest="dlq_command", required=True)
    ls = cmds.add_parser("list", help="dead-letter topics with counts, or the letters of one topic")
    ls.add_argument("topic", nargs="?", help="e.g. contract.state (or contract.state.dlq)")
    show = cmds.add_parser("show", help="headers and body of dead letters")
    show.add_argument("topic")
    show.add_argument("--partition", type=int, help="with --offset: the dead-letter topic's partition")
    which = show.add_mutually_exclusive_group()
    which.add_argument("--offset", type=int, help="the dead letter at this offset (as `dlq list` shows)")
    which.add_argument("--event-id", help="the dead letters of this event")
    replay = cmds.add_parser("replay", help="republish dead letters to their topic after fixing the cause")
    replay.add_argument("topic")
    what = replay.add_mutually_exclusive_group(required=True)
    what.add_argument("--event-id", action="append", dest="event_ids", help="repeat for several")
    what.add_argument("--all", action="store_true", help="every dead letter not replayed yet")
    replay.add_argument(
        "--again",
        action="store_true",
        help="also those replayed before (harmless: each consumer's inbox ignores an event it applied)",
    )


if __name__ == "__main__":
    main()
