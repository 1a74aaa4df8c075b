"""The mark of a demo base (made by `seed-demo` or `--demo`): its accounts sign in without a
password (CONTRACT.md, *Who acts*). A setting inside the base, never a file name.

`demo_actor` is who the demo data says did each thing, as the services receive it."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AppSetting
from app.services.actor import SYSTEM_AUTHOR, Actor, system_actor
from app.services.permissions import SYSTEM_ROLE

__all__ = ["DEMO_SETTING", "demo_actor", "is_demo_base", "mark_demo_base"]

DEMO_SETTING = "base_de_demonstration"
DEMO_REASON = "données de démonstration, écrites dans une base neuve par qui la crée"


def demo_actor(author: str = SYSTEM_AUTHOR, role: str = SYSTEM_ROLE) -> Actor:
    """The member of staff who would have done it (`author`, e.g. "Nadia Belkacem (accueil)"),
    with that role; nobody signs in to write the demo data (app/services/actor.py)."""
    return system_actor(DEMO_REASON, author=author, role=role)


def is_demo_base(session: Session) -> bool:
    value = session.scalar(select(AppSetting.value).where(AppSetting.key == DEMO_SETTING))
    return value == "oui"


def mark_demo_base(session: Session) -> None:
    setting = session.scalar(select(AppSetting).where(AppSetting.key == DEMO_SETTING))
    if setting is None:
        session.add(AppSetting(key=DEMO_SETTING, value="oui"))
    else:
        setting.value = "oui"
    session.flush()
