"""The reference lists forms and filters offer (sites, filières, prescripteurs, stages,
seasons), each read in its own session for the window. The lists themselves and their
seeding are in `app.services.reference`."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services import reference
from app.services.reference import Option
from app.services.unit_of_work import reads

sites = reads(reference.sites)
site_places = reads(reference.site_places)  # "Cobalt (Poitiers)", for the header
filieres = reads(reference.filieres)
referrers = reads(reference.referrers)
stages = reads(reference.stages)
seasons = reads(reference.seasons)


@dataclass(frozen=True)
class ReferenceLists:
    """Every list at once, for a form that offers several (one session, not five)."""

    sites: list[Option]
    filieres: list[Option]
    referrers: list[Option]
    stages: list[Option]
    seasons: list[Option]


@reads
def every_list(session: Session) -> ReferenceLists:
    return ReferenceLists(
        sites=reference.sites(session),
        filieres=reference.filieres(session),
        referrers=reference.referrers(session),
        stages=reference.stages(session),
        seasons=reference.seasons(session),
    )
