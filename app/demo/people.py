"""Fictitious applicants for the demonstration data: consistent identity, contact,
situation and background, drawn from `demo_data` with a seeded random generator."""

import calendar
import random
import unicodedata
from datetime import date, timedelta

from app.demo import words
from app.services.candidates.records import CandidateInput
from app.services.validation import FieldError, format_date, parse_phone

AGE_BANDS = (((18, 25), 30), ((26, 30), 20), ((31, 49), 40), ((50, 55), 10))
OTHER_SEX_AT = 52  # the 52nd applicant answers "autre"


def _years_before(day: date, years: int) -> date:
    year = day.year - years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def _ascii(text: str) -> str:
    """`N'Diaye` -> `ndiaye`, `Thi Lan` -> `thilan`, `Jean-Baptiste` -> `jean-baptiste`."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return "".join(c for c in plain if c.isalnum() or c == "-")


def feminine(sex: str) -> str:
    return {"F": "e", "M": ""}.get(sex, "·e")


class People:
    """Draws fictitious, consistent people: identity, contact, situation, background."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = rng.sample(words.SURNAMES, len(words.SURNAMES))
        self.more_surnames = list(words.MORE_SURNAMES)
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        codes = list(words.REFERRER_WEIGHTS)
        self.referrers = rng.sample(codes, len(codes))  # the first ten use every referrer
        self.count = 0
        self.eligible_women = 0

    def make(self, site: str, season: str, applied: date) -> tuple[CandidateInput, str, str]:
        """A new applicant's form, with their sex and wished filière."""
        self.count += 1
        rng = self.rng
        sex = "autre" if self.count == OTHER_SEX_AT else ("F" if rng.random() < 0.45 else "M")
        age = rng.randint(*rng.choices([b for b, _ in AGE_BANDS], [w for _, w in AGE_BANDS])[0])
        values = self._identity(sex, age, applied)
        values |= self._contact(site, values["prenom"], values["nom_usage"] or values["nom"])
        values |= self._situation(age, applied)
        values |= self._background(age)
        filiere = rng.choices(list(words.FILIERE_WEIGHTS), list(words.FILIERE_WEIGHTS.values()))[0]
        values |= self._application(site, season, applied, filiere, sex)
        return CandidateInput(**values), sex, filiere

    def _identity(self, sex: str, age: int, applied: date) -> dict[str, str]:
        rng = self.rng
        pool = {"F": words.FEMALE_FIRST_NAMES, "M": words.MALE_FIRST_NAMES}.get(
            sex, words.EPICENE_FIRST_NAMES
        )
        birth = _years_before(applied, age) - timedelta(days=rng.randint(1, 360))
        if sex == "F" and age >= 28:
            self.eligible_women += 1
        married = sex == "F" and age >= 28 and self.eligible_women % 3 == 1
        return {
            "civilite": {"F": "Mme", "M": "M."}.get(sex, ""),
            "prenom": rng.choice(pool),
            "nom": self._surname(),
            "nom_usage": self._surname() if married else "",
            "sexe": sex,
            "date_naissance": format_date(birth),
            "commune_naissance": rng.choice(words.BIRTH_PLACES) if rng.random() < 0.9 else "",
        }

    def _surname(self) -> str:
        if self.surnames:
            return self.surnames.pop()
        return self.more_surnames.pop(self.rng.randrange(len(self.more_surnames)))

    def _contact(self, site: str, first: str, last: str) -> dict[str, str]:
        rng = self.rng
        communes = words.COMMUNES[site]
        commune = rng.choices(communes, [c.weight for c in communes])[0]
        quartier = rng.choice(commune.qpv) if commune.qpv and rng.random() < 0.45 else ""
        qpv = "oui" if quartier else rng.choice(("non", "non", "non", ""))
        address = f"{rng.randint(1, 120)} {rng.choice(words.STREETS)}"
        has_phone, has_email = rng.random() < 0.95, rng.random() < 0.9
        return {
            "telephone": self._mobile() if has_phone or not has_email else "",
            "email": self._email(first, last) if has_email else "",
            "adresse": f"{address}, bât. {rng.choice('ABCDE')}" if quartier else address,
            "code_postal": commune.postal_code,
            "commune": commune.name,
            "qpv": qpv,
            "quartier_qpv": quartier,
            "zrr": {True: "oui", False: "non", None: ""}[commune.zrr],
        }

    def _mobile(self) -> str:
        while True:
            number = "0" + self.rng.choice("67") + f"{self.rng.randrange(10**8):08d}"
            try:
                e164 = parse_phone(number) or ""
            except FieldError:
                continue
            # 0696… is a valid number in Martinique: keep metropolitan mobiles only.
            if e164[:4] in ("+336", "+337") and number not in self.phones:
                self.phones.add(number)
                return " ".join(number[i : i + 2] for i in range(0, 10, 2))

    def _email(self, first: str, last: str) -> str:
        rng = self.rng
        f, name = _ascii(first), _ascii(last)
        local = rng.choice(
            (f"{f}.{name}", f"{f[0]}{name}", f"{f}.{name}{rng.randint(1, 99)}", f"{name}.{f}")
        )
        domain = rng.choice(words.EMAIL_DOMAINS)
        email, suffix = f"{local}@{domain}", 1
        while email in self.emails:
            suffix += 1
            email = f"{local}{suffix}@{domain}"
        self.emails.add(email)
        return email

    def _situation(self, age: int, applied: date) -> dict[str, str]:
        rng = self.rng
        young = age < 26
        job_seeker = rng.random() < (0.5 if young else 0.8)
        since = applied - timedelta(days=rng.randint(20, 900))
        letter = rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
        return {
            "demandeur_emploi": "oui" if job_seeker else "non",
            "identifiant_france_travail": f"{rng.randint(10**6, 10**7 - 1)}{letter}"
            if job_seeker
            else "",
            "date_inscription_france_travail": format_date(since) if job_seeker else "",
            "rsa": "oui" if age >= 25 and rng.random() < 0.3 else "non",
            "mission_locale": "oui" if young and rng.random() < 0.8 else "non",
            "neet": ("oui" if rng.random() < 0.85 else "non") if young else "",
            "rqth": "oui" if self.count % 16 == 5 else "non",
        }

    def _background(self, age: int) -> dict[str, str]:
        rng = self.rng
        weights = [words.DIPLOMA_WEIGHTS[level] for level, _ in words.DIPLOMAS]
        level, last_class = rng.choices(words.DIPLOMAS, weights)[0]
        experienced = rng.random() < (0.5 if age < 26 else 0.9)
        return {
            "niveau_diplome": "aucun" if level == 0 else str(level),
            "derniere_classe": last_class,
            "experience_professionnelle": "oui" if experienced else "non",
            "experience_detail": rng.choice(words.EXPERIENCES) if experienced else "",
        }

    def _application(
        self, site: str, season: str, applied: date, filiere: str, sex: str
    ) -> dict[str, str]:
        rng = self.rng
        referrer = self._referrer()
        sources = words.SOURCES.get(referrer, ("",))
        note = rng.choice(words.NOTES) if rng.random() < 0.6 else ""
        return {
            "saison": season,
            "site": site,
            "filiere_souhaitee": filiere,
            "prescripteur": referrer,
            "contact_prescripteur": words.REFERRER_CONTACTS.get(referrer, {}).get(site, ""),
            "source": rng.choice(sources),
            "disponibilite": rng.choice(words.AVAILABILITIES),
            "date_candidature": format_date(applied),
            "date_information_rgpd": format_date(applied),
            "responsable": words.STAFF[site].accueil,
            "notes": note.format(e=feminine(sex)),
        }

    def _referrer(self) -> str:
        if self.referrers:
            return self.referrers.pop()
        codes = list(words.REFERRER_WEIGHTS)
        return self.rng.choices(codes, list(words.REFERRER_WEIGHTS.values()))[0]
