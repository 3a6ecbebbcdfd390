"""The cashier gives a booth to a customer and frees it again: a "booth in use by NAME" mark on the page, and, where
the PBX allows it ([shop] lock_family with [ami] set up), the booth unlocked over AMI for the time it is given and
locked again when it is freed.

The lock is a key of Asterisk's database that the booths' dialplan checks before it dials (README "Callshop": the
lines to add): DBPut FAMILY/EXTENSION = open unlocks, DBDel locks. The AMI action comes first and the mark is written
only when the PBX said yes, so the page never shows a booth open that the PBX keeps locked."""
from __future__ import annotations

import logging
import time
from typing import Callable

from appliance.shop.booths import Shop
from appliance.shop.sessions import ShopError
from appliance.store.base import IMMEDIATE
from appliance.store.shop import ShopBooth

log = logging.getLogger(__name__)
OPEN = "open"
# an AMI action: (name, fields) -> anything; raises (appliance.ami.client.AmiError) when the PBX refuses or is away
Action = Callable[[str, dict], object]


def marks() -> dict[str, ShopBooth]:
    """Every booth's mark row (booths never marked have none)."""
    return {b.extension: b for b in ShopBooth.select()}


def _booth(shop: Shop, extension: str) -> str:
    if extension not in shop.booths:
        raise ShopError(f"{extension or 'no extension'} is not a booth ([shop] booths)")
    return extension


def _lock(shop: Shop, action: Action | None, extension: str, unlock: bool) -> bool:
    """Lock or unlock over AMI when configured: True when done, False when the shop has no AMI lock."""
    if not shop.lock_family:
        return False
    if action is None:
        raise ShopError(f"booth {extension} cannot be {'unlocked' if unlock else 'locked'}: [shop] lock_family is "
                        "set but there is no AMI link ([ami] host)")
    try:
        if unlock:
            action("DBPut", {"Family": shop.lock_family, "Key": extension, "Val": OPEN})
        else:
            action("DBDel", {"Family": shop.lock_family, "Key": extension})
    except Exception as e:   # AmiError: the link is down, or the PBX said Error
        if not unlock and "not found" in str(e).lower():   # DBDel of a key that is not there: locked already
            return True
        raise ShopError(f"the PBX did not {'unlock' if unlock else 'lock'} booth {extension}: {e}") from None
    return True


def give(shop: Shop, extension: str, who: str, action: Action | None = None, now: int | None = None) -> ShopBooth:
    """Mark the booth in use by `who` (and unlock it over AMI where configured)."""
    ext, who = _booth(shop, extension), " ".join(who.split())
    if not who:
        raise ShopError("write who uses the booth (a name or a description)")
    unlocked = _lock(shop, action, ext, True)
    with ShopBooth._meta.database.atomic(IMMEDIATE):
        ShopBooth.insert(extension=ext, in_use_by=who[:80], since_utc=int(time.time() if now is None else now),
                         unlocked=int(unlocked)).on_conflict_replace().execute()
    log.info("shop: booth %s in use by %s%s", ext, who, " (unlocked over AMI)" if unlocked else "")
    return ShopBooth.get_by_id(ext)


def free(shop: Shop, extension: str, action: Action | None = None) -> None:
    """Clear the booth's mark (and lock it again over AMI where configured)."""
    ext = _booth(shop, extension)
    _lock(shop, action, ext, False)
    with ShopBooth._meta.database.atomic(IMMEDIATE):
        ShopBooth.insert(extension=ext, in_use_by="", since_utc=None, unlocked=0).on_conflict_replace().execute()
    log.info("shop: booth %s free%s", ext, " (locked over AMI)" if shop.lock_family else "")
