"""The mark of a demo base (made by `seed-demo` or `--demo`): its accounts sign in without a
password (CONTRACT.md, *Who acts*). A setting inside the base, never a file name."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import AppSetting

__all__ = ["DEMO_SETTING", "is_demo_base", "mark_demo_base"]

DEMO_SETTING = "base_de_demonstration"


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
