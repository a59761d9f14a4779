"""Forward-only migrations: naming, ordering and checksums (no database)."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest

from avtal_common.migrations import (
    Migration,
    MigrationError,
    common_migrations,
    load_migrations,
    package_migrations,
    pending,
)

A = Migration("common:0001_outbox_inbox", "CREATE TABLE outbox (id bigint);")
B = Migration("common:0002_idempotency", "CREATE TABLE idempotency_keys (key text);")
C = Migration("billing:0001_billing", "CREATE TABLE invoices (id uuid);")


def test_a_migration_checksum_is_the_sha256_of_its_sql() -> None:
    assert A.checksum == hashlib.sha256(A.sql.encode()).hexdigest()


def test_any_change_to_the_sql_changes_the_checksum() -> None:
    assert Migration(A.id, A.sql + " ").checksum != A.checksum


def test_on_a_fresh_database_every_migration_is_pending_in_order() -> None:
    assert pending([A, B, C], {}) == [A, B, C]


def test_only_migrations_not_yet_applied_are_pending() -> None:
    done = {A.id: A.checksum, C.id: C.checksum}

    assert pending([A, B, C], done) == [B]


def test_nothing_is_pending_when_everything_is_applied() -> None:
    assert pending([A, B], {A.id: A.checksum, B.id: B.checksum}) == []


def test_an_applied_migration_whose_sql_changed_is_refused() -> None:
    edited = Migration(A.id, A.sql.replace("bigint", "int"))

    with pytest.raises(MigrationError, match=A.id):
        pending([edited, B], {A.id: A.checksum})


def test_applied_migrations_unknown_to_this_code_are_not_an_error() -> None:
    # Another service (or a newer version) applied these; they share the table.
    done = {"contracts:0001_contracts": "x" * 64, A.id: A.checksum}

    assert pending([A, B], done) == [B]


# --- loading from a folder ---------------------------------------------------------------------


def test_load_migrations_reads_numbered_sql_files_in_order_and_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "0002_add_index.sql").write_text("CREATE INDEX i ON t (x);")
    (tmp_path / "0001_create_t.sql").write_text("CREATE TABLE t (x int);")
    (tmp_path / "0010_later.sql").write_text("SELECT 1;")
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / "__init__.py").write_text("")

    found = load_migrations("demo", tmp_path)

    assert [m.id for m in found] == ["demo:0001_create_t", "demo:0002_add_index", "demo:0010_later"]
    assert found[0].sql == "CREATE TABLE t (x int);"


def test_load_migrations_of_an_empty_folder_is_empty(tmp_path: Path) -> None:
    assert load_migrations("demo", tmp_path) == []


@pytest.mark.parametrize(
    "name",
    [
        "1_create_t.sql",
        "001_create_t.sql",
        "0001-create-t.sql",
        "0001_Create_T.sql",
        "create_t.sql",
        "0001_.sql",
        "00001_create_t.sql",
        "0001_create t.sql",
    ],
)
def test_load_migrations_refuses_a_misnamed_sql_file(tmp_path: Path, name: str) -> None:
    (tmp_path / "0001_ok.sql").write_text("SELECT 1;")
    (tmp_path / name).write_text("SELECT 2;")

    with pytest.raises(MigrationError, match=r"NNNN_name\.sql"):
        load_migrations("demo", tmp_path)


def test_loading_the_same_folder_twice_gives_the_same_checksums(tmp_path: Path) -> None:
    (tmp_path / "0001_create_t.sql").write_text("CREATE TABLE t (x int);")

    first, second = load_migrations("demo", tmp_path), load_migrations("demo", tmp_path)

    assert pending(second, {m.id: m.checksum for m in first}) == []


# --- the shipped migration sets ------------------------------------------------------------------


def test_the_common_migrations_load_and_start_at_0001() -> None:
    found = common_migrations()

    assert found, "libs/common ships the outbox/inbox migrations"
    assert found[0].id.startswith("common:0001_")
    assert all(m.id.startswith("common:") for m in found)


@pytest.mark.parametrize(
    "package",
    [
        "avtal_catalog",
        "avtal_contracts",
        "avtal_billing",
        "avtal_notifier",
        "avtal_reporting",
        "avtal_gateway",
    ],
)
def test_every_service_ships_well_named_migrations_numbered_without_gaps(package: str) -> None:
    assert resources.files(package).joinpath("migrations").is_dir()

    found = package_migrations(package)

    numbers = [int(m.id.split(":", 1)[1][:4]) for m in found]
    assert numbers == list(range(1, len(found) + 1))
    assert all(m.sql.strip() for m in found)
