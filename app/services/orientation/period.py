"""The orientation period's building blocks in one namespace, for callers that use many of
them (the window's use cases, the demo seeding, tests). Each lives in the module named for
what it holds:

- `rules`: who may write observations, who decides, how long a note may be;
- `cohorts`: cohorts and their learners, weeks counted from the start;
- `criteria`: the criteria of the team-work grid;
- `activities`: activities and their teams;
- `observations`: observations as recorded (append-only) and what they amount to;
- `grid`: entering a team's levels and comments, a cell's history;
- `projects`, `decisions`: the professional project, the end-of-orientation decision;
- `progress`: the cohort matrix and a learner's page;
- `bilan`: what the bilan d'orientation prints.

The window calls the use cases of `actions` instead.
"""

from app.domain.orientation import Outcome, ProjectStatus
from app.services.errors import PermissionDenied
from app.services.orientation.activities import (
    ActivityInfo,
    ActivityInput,
    TeamInfo,
    activities,
    create_activity,
    set_teams,
    update_activity,
)
from app.services.orientation.bilan import bilan_data
from app.services.orientation.cohorts import (
    ORIENTATION_WEEKS,
    CohortInfo,
    LearnerInfo,
    cohort_learners,
    cohorts,
    week_of,
)
from app.services.orientation.criteria import (
    CriterionInfo,
    add_criterion,
    criteria,
    rename_criterion,
    retire_criterion,
)
from app.services.orientation.decisions import DecisionInfo, decide
from app.services.orientation.grid import (
    GridData,
    LevelChange,
    grid,
    level_history,
    record_level,
    record_note,
)
from app.services.orientation.progress import (
    LearnerPage,
    MatrixData,
    NoteInfo,
    WeekLevels,
    cohort_matrix,
    learner_page,
)
from app.services.orientation.projects import ProjectInfo, save_project
from app.services.orientation.rules import (
    MAX_NOTE_LENGTH,
    ROLE_DECIDING,
    ROLES_WRITING_OBSERVATIONS,
)

__all__ = [
    "MAX_NOTE_LENGTH",
    "ORIENTATION_WEEKS",
    "ROLES_WRITING_OBSERVATIONS",
    "ROLE_DECIDING",
    "ActivityInfo",
    "ActivityInput",
    "CohortInfo",
    "CriterionInfo",
    "DecisionInfo",
    "GridData",
    "LearnerInfo",
    "LearnerPage",
    "LevelChange",
    "MatrixData",
    "NoteInfo",
    "Outcome",
    "PermissionDenied",
    "ProjectInfo",
    "ProjectStatus",
    "TeamInfo",
    "WeekLevels",
    "activities",
    "add_criterion",
    "bilan_data",
    "cohort_learners",
    "cohort_matrix",
    "cohorts",
    "create_activity",
    "criteria",
    "decide",
    "grid",
    "learner_page",
    "level_history",
    "record_level",
    "record_note",
    "rename_criterion",
    "retire_criterion",
    "save_project",
    "set_teams",
    "update_activity",
    "week_of",
]
