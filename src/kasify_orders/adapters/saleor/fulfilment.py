"""Fulfilling a Saleor order from kasify's shipment: which units, from which warehouses, and the carrier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kasify_orders import carriers
from kasify_orders.adapters.saleor.graphql import UPDATE_METADATA, SaleorClient, SaleorError
from kasify_orders.adapters.saleor.names import CARRIER_METADATA_KEY, TRACKING_URL_METADATA_KEY
from kasify_orders.model import Order, Shipment

__all__ = ["lines_to_fulfil", "saleor_units", "write_carrier_metadata"]


def saleor_units(state: Mapping[str, Any], order: Order, shipment: Shipment) -> dict[str, int] | None:
    """``{Saleor order line id: units}`` of a kasify parcel; None: every unit left (one parcel of all).

    kasify placed one line per Saleor line, in the same order, so a kasify line id (from 1) is
    the Saleor line at that place.
    """
    saleor_lines = list(state.get("lines") or [])
    if sum(shipment.lines.values()) >= sum(line.quantity for line in order.lines) or len(saleor_lines) != len(
        order.lines
    ):
        return None
    return {str(saleor_lines[line_id - 1]["id"]): units for line_id, units in shipment.lines.items()}


def lines_to_fulfil(state: Mapping[str, Any], units: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """``OrderFulfillLineInput`` of every unfulfilled unit (or *units* of a line), as allocated."""
    channel_warehouses = [w["id"] for w in (state.get("channel") or {}).get("warehouses") or []]
    lines = []
    for line in state.get("lines") or []:
        wanted = int(line.get("quantityToFulfill") or 0)
        if units is not None:
            wanted = min(wanted, units.get(str(line.get("id")), 0))
        if wanted <= 0:
            continue
        stocks = []
        for allocation in line.get("allocations") or []:
            take = min(wanted, int(allocation.get("quantity") or 0))
            if take > 0:
                stocks.append({"quantity": take, "warehouse": allocation["warehouse"]["id"]})
                wanted -= take
        if wanted > 0:
            if not channel_warehouses:
                raise SaleorError(f"no warehouse to fulfil Saleor order line {line.get('id')} from")
            stocks.append({"quantity": wanted, "warehouse": channel_warehouses[0]})
        lines.append({"orderLineId": line["id"], "stocks": stocks})
    return lines


def write_carrier_metadata(client: SaleorClient, fulfillment_id: str, shipment: Shipment) -> None:
    """Record kasify's carrier (and its name and tracking link) on the Saleor fulfillment's metadata."""
    values = [{"key": CARRIER_METADATA_KEY, "value": shipment.carrier}]
    values.append({"key": "kasify.carrier_name", "value": carriers.display_name(shipment.carrier)})
    if shipment.tracking_url:
        values.append({"key": TRACKING_URL_METADATA_KEY, "value": shipment.tracking_url})
    client.mutate(UPDATE_METADATA, "updateMetadata", {"id": fulfillment_id, "input": values})
