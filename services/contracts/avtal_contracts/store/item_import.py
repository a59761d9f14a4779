"""The covered-items import target: items matched by manufacturer and serial number, sites by name."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from avtal_common.csvimport import Column, ImportOptions, ImportReport, reject
from avtal_contracts.domain.imports import ITEM_COLUMNS, ItemRow

_STAGING = """
CREATE TEMP TABLE import_items (
    row_no int, customer_ref text, manufacturer_no text, model text, serial_no text, sku text, site text,
    install_date date, external_ref text, customer_id uuid, product_id uuid, site_id uuid
) ON COMMIT DROP
"""
_RESOLVE = """
UPDATE import_items s SET customer_id = c.customer_id FROM customers c WHERE c.external_ref = s.customer_ref;
UPDATE import_items s SET product_id = p.product_id FROM products p WHERE p.sku = s.sku;
"""
CHECKS = (
    """SELECT row_no, 'customer_ref', format('no customer has the reference %s; import the customers first',
              customer_ref)
       FROM import_items WHERE customer_id IS NULL""",
    """SELECT row_no, 'sku', format('no product has the SKU %s in the catalog', sku)
       FROM import_items WHERE sku IS NOT NULL AND product_id IS NULL""",
    """SELECT row_no, 'serial_no', format('serial number %s of manufacturer %s is also in row %s',
              serial_no, manufacturer_no, first)
       FROM (SELECT row_no, serial_no, manufacturer_no,
                    min(row_no) OVER (PARTITION BY manufacturer_no, serial_no) AS first FROM import_items) d
       WHERE row_no <> first""",
    """SELECT s.row_no, 'serial_no', format(
              'serial number %s of manufacturer %s is registered to customer %s (%s)',
              s.serial_no, s.manufacturer_no, c.name, coalesce(c.external_ref, c.customer_id::text))
       FROM import_items s
       JOIN covered_items i ON i.manufacturer_no = s.manufacturer_no AND i.serial_no = s.serial_no
       JOIN customers c ON c.customer_id = i.customer_id
       WHERE s.customer_id IS NOT NULL AND i.customer_id <> s.customer_id""",
    """SELECT s.row_no, 'external_ref', format(
              'item reference %s belongs to serial number %s of manufacturer %s',
              s.external_ref, i.serial_no, i.manufacturer_no)
       FROM import_items s JOIN covered_items i ON i.external_ref = s.external_ref
       WHERE (i.manufacturer_no, i.serial_no) <> (s.manufacturer_no, s.serial_no)""",
    """SELECT row_no, 'external_ref', format('item reference %s is also in row %s', external_ref, first)
       FROM (SELECT row_no, external_ref, min(row_no) OVER (PARTITION BY external_ref) AS first
             FROM import_items WHERE external_ref IS NOT NULL) d
       WHERE row_no <> first""",
)
_SITES = """
INSERT INTO sites (site_id, customer_id, name)
SELECT gen_random_uuid(), customer_id, site FROM (SELECT DISTINCT customer_id, site FROM import_items
    WHERE site IS NOT NULL) n
ON CONFLICT (customer_id, name) DO NOTHING;
UPDATE import_items s SET site_id = t.site_id
FROM sites t WHERE t.customer_id = s.customer_id AND t.name = s.site;
"""
# Optional fields the file has overwrite the stored ones; a column the file lacks leaves them alone.
_OPTIONAL = {
    "sku": "product_id",
    "site": "site_id",
    "install_date": "install_date",
    "external_ref": "external_ref",
}
_UPDATE = """
UPDATE covered_items i SET ({fields}) = ({given})
FROM import_items s
WHERE i.manufacturer_no = s.manufacturer_no AND i.serial_no = s.serial_no
  AND ({stored}) IS DISTINCT FROM ({given})
RETURNING i.item_id
"""
_INSERT = """
INSERT INTO covered_items (item_id, customer_id, manufacturer_no, model, serial_no, product_id, site_id,
                           install_date, external_ref)
SELECT gen_random_uuid(), customer_id, manufacturer_no, model, serial_no, product_id, site_id, install_date,
       external_ref
FROM import_items s
WHERE NOT EXISTS (SELECT 1 FROM covered_items i
                  WHERE i.manufacturer_no = s.manufacturer_no AND i.serial_no = s.serial_no)
ORDER BY row_no
"""


def _update_sql(present: list[str]) -> str:
    fields = ["model", *(_OPTIONAL[f] for f in present)]
    return _UPDATE.format(
        fields=", ".join(fields),
        given=", ".join(f"s.{f}" for f in fields),
        stored=", ".join(f"i.{f}" for f in fields),
    )


class ItemImport:
    """Register or update covered items; a serial number is unique per manufacturer across customers."""

    columns: tuple[Column, ...] = ITEM_COLUMNS
    row_model: type[BaseModel] = ItemRow
    staging = "import_items"

    def staging_ddl(self) -> str:
        return _STAGING

    async def merge(self, conn: asyncpg.Connection, report: ImportReport, options: ImportOptions) -> None:
        await conn.execute(_RESOLVE)
        await reject(conn, self.staging, report, CHECKS)
        await conn.execute(_SITES)
        present = [f for f in _OPTIONAL if f in report.mapping]
        updated = await conn.fetch(_update_sql(present))
        inserted = await conn.execute(_INSERT)
        report.updated = len(updated)
        report.inserted = int(inserted.split()[-1])
        report.unchanged = report.rows_valid - report.updated - report.inserted
