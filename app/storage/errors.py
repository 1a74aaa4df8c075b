"""What a database error means for the person at the desk, by its code: PostgreSQL's SQLSTATE,
SQLite's extended result code; the message text only where neither says (a server that cannot
be reached has no SQLSTATE yet)."""

from sqlalchemy.exc import DatabaseError

# SQLSTATE classes and codes (PostgreSQL, appendix A "Error codes").
WRITE_CONFLICT_STATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
_STATE_REASONS = {
    "55P03": "un autre poste tient ces données en ce moment",  # lock_not_available
    "57014": "l'opération a dépassé le temps permis",  # query_canceled (statement_timeout)
    "25006": "elle est en lecture seule",  # read_only_sql_transaction
    "53100": "le disque du serveur est plein",  # disk_full
    "53200": "le serveur manque de mémoire",  # out_of_memory
    "53300": "le serveur a atteint son nombre maximal de connexions",  # too_many_connections
    "57P01": "le serveur s'arrête",  # admin_shutdown
    "57P02": "le serveur redémarre",  # crash_shutdown
    "57P03": "le serveur démarre ou s'arrête : il n'accepte pas encore de connexion",
    "28000": "le serveur a refusé l'identifiant",  # invalid_authorization_specification
    "28P01": "le serveur a refusé l'identifiant ou le mot de passe",  # invalid_password
    "3D000": "cette base n'existe pas sur le serveur",  # invalid_catalog_name
    "42501": "le compte de connexion n'a pas les droits nécessaires",  # insufficient_privilege
    "42P01": "une table manque (base incomplète ou d'une autre version)",  # undefined_table
}
_CLASS_REASONS = {
    "08": "le serveur est injoignable (réseau, adresse ou serveur arrêté)",  # connection
    "53": "le serveur manque de ressources",  # insufficient_resources
    "58": "le serveur a rencontré une erreur système",  # system_error
    "XX": "le serveur a signalé une erreur interne",  # internal_error
}

# SQLite's extended result codes (https://sqlite.org/rescode.html).
SQLITE_BUSY_SNAPSHOT = 517
_SQLITE_REASONS = {
    5: "elle est occupée par un autre poste",  # SQLITE_BUSY
    6: "elle est occupée par un autre poste",  # SQLITE_LOCKED
    8: "elle est en lecture seule",  # SQLITE_READONLY
    10: "le fichier est introuvable ou illisible",  # SQLITE_IOERR
    11: "le fichier est endommagé (restaurez une sauvegarde)",  # SQLITE_CORRUPT
    13: "le disque est plein",  # SQLITE_FULL
    14: "le fichier est introuvable ou illisible",  # SQLITE_CANTOPEN
    26: "le fichier est endommagé (restaurez une sauvegarde)",  # SQLITE_NOTADB
}
_UNKNOWN_REASON = "elle ne répond pas"


def sqlstate(error: DatabaseError) -> str | None:
    """PostgreSQL's SQLSTATE of the error (psycopg's `sqlstate`), None elsewhere."""
    state = getattr(error.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def sqlite_code(error: DatabaseError) -> int | None:
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code if isinstance(code, int) else None


def is_write_conflict(error: DatabaseError) -> bool:
    """Two desks wrote at once and this one's work was not kept: running the whole action
    again is safe (it saw nothing of the other's)."""
    return sqlstate(error) in WRITE_CONFLICT_STATES or sqlite_code(error) == SQLITE_BUSY_SNAPSHOT


def storage_reason(error: DatabaseError) -> str:
    """Why the database refused, in French, for "La base … : <reason>"."""
    state = sqlstate(error)
    if state is not None:
        return _STATE_REASONS.get(state) or _CLASS_REASONS.get(state[:2], _UNKNOWN_REASON)
    code = sqlite_code(error)
    if code is not None:
        reason = _SQLITE_REASONS.get(code) or _SQLITE_REASONS.get(code & 0xFF)
        if reason is not None:
            return reason
    return _reason_from_text(str(error.orig).lower())


def _reason_from_text(text: str) -> str:
    """Errors without a code: a server never reached (psycopg says it in words), a driver's
    own refusal."""
    if "connection refused" in text or "could not connect" in text or "timeout expired" in text:
        return _CLASS_REASONS["08"]
    if "could not translate host name" in text or "name or service not known" in text:
        return "l'adresse du serveur est inconnue"
    if "password authentication failed" in text:
        return _STATE_REASONS["28P01"]
    if "locked" in text or "busy" in text:
        return _SQLITE_REASONS[5]
    if "readonly" in text or "read-only" in text:
        return _SQLITE_REASONS[8]
    if "disk" in text and "full" in text:
        return _SQLITE_REASONS[13]
    if "malformed" in text or "not a database" in text:
        return _SQLITE_REASONS[11]
    if "unable to open" in text or "no such table" in text or "disk i/o" in text:
        return _SQLITE_REASONS[10]
    return _UNKNOWN_REASON
