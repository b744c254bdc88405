"""A labelled corpus of wire copy for near-duplicate detection: planted copies, hard negatives.

`make_corpus(originals, seed)` returns stories in arrival order, each labelled with the event it
reports (the truth cluster), its kind and, for copies, the edits made. Deterministic per seed.

- A *thread* is a running news topic: a place, its people, an organization and one or two
  background paragraphs that newsrooms paste into every story of the thread (real desks do).
- An *event* is one report in a thread, on its own day (1 to 3 days after the previous one, so
  inside a 96-hour window): its own facts, numbers, quotes; its original story has a dateline
  ("KHARKIV, March 3 (Reuters) - "), 6 to 12 paragraphs, quotes with names and titles, the
  thread's background, and a "Reporting by ...; Editing by ..." tail.
- Copies of an original, arriving minutes to hours later from other providers:
  `exact` (same text), `light` (the issue's light edits: another headline and dateline style,
  rewritten lede, a paragraph dropped or added, synonyms, credit tail changed or dropped; one to
  four of them), `heavy` (most of those at once plus the second half cut: reported, not a target).
- Hard negatives are the other events of the same thread: same people and places, shared
  background paragraphs, the same topic words, another day. `hard_pairs` lists them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST = _words("Omar Anna Mikhail Li Sarah David Fatima Jean Carlos Yuki Ahmed Maria Pieter Olga "
         "Kwame Elena Tomasz Ingrid Rahul Chen Aisha Lucas Hana Ivan Grace Mehmet Sofia Ali "
         "Nadia Pablo Eva Samuel Leila Jonas Amara Viktor Rosa Kenji Dmitri Clara")
LAST = _words("Alloush Petrova Schmidt Haddad Okafor Nakamura Kowalski Rossi Mahmoud Fernandez Novak "
        "Lindqvist Mensah Ivanova Dubois Tanaka Rahman Costa Weber Suleiman Kovacs Moreau "
        "Abdullah Jansen Horvat Silva Nguyen Park Mwangi Castillo Eriksen Barzani Volkov Adeyemi "
        "Moretti Hoffmann Demir Karimi Osei Brennan")
PLACES = [("Kharkiv", "Ukraine"), ("Raqqa", "Syria"), ("Mosul", "Iraq"), ("Lagos", "Nigeria"),
          ("Manila", "Philippines"), ("Lima", "Peru"), ("Ankara", "Turkey"), ("Nairobi", "Kenya"),
          ("Dhaka", "Bangladesh"), ("Caracas", "Venezuela"), ("Gaza", "the Palestinian territories"),
          ("Kabul", "Afghanistan"), ("Jakarta", "Indonesia"), ("Karachi", "Pakistan"),
          ("Bogota", "Colombia"), ("Khartoum", "Sudan"), ("Tripoli", "Libya"), ("Yangon", "Myanmar"),
          ("Beirut", "Lebanon"), ("Athens", "Greece"), ("Frankfurt", "Germany"), ("Osaka", "Japan"),
          ("Sao Paulo", "Brazil"), ("Johannesburg", "South Africa"), ("Lyon", "France"),
          ("Milan", "Italy"), ("Chicago", "the United States"), ("Toronto", "Canada")]
ORGS = _words("the interior ministry|the health ministry|the central bank|the electoral commission|"
        "the United Nations|the Red Cross|the city council|the army|the finance ministry|"
        "the supreme court|the port authority|the national weather service|the opposition alliance|"
        "the state oil company|the workers' union|the coalition|the police", "|")
TITLES = _words("spokesman|minister|governor|mayor|senior official|commander|chief executive|"
          "lawmaker|prosecutor|analyst|aid worker|economist|police chief|union leader", "|")
TOPICS = {
    "conflict": _words("fighters offensive shelling ceasefire troops civilians frontline artillery "
                 "checkpoint evacuation militia airstrikes siege corridor hostages"),
    "economy": _words("inflation rates bonds currency growth exports budget deficit investors prices "
                "tariffs lending wages output forecast"),
    "disaster": _words("flood earthquake rescuers survivors rubble shelters aftershock landslide "
                 "casualties rainfall damage relief villages bridges"),
    "politics": _words("election ballot coalition parliament vote campaign reform referendum cabinet "
                 "turnout candidates opposition decree mandate"),
    "courts": _words("trial verdict judge defendants appeal charges testimony sentence evidence "
               "hearing lawyers jury acquittal indictment"),
    "business": _words("shares merger profit revenue takeover factory layoffs quarter dividend "
                 "regulators suppliers contract stake orders"),
}
DAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
VERBS = _words("said|told reporters|said in a statement|told Reuters|said on state television|"
         "wrote on social media|told a news conference", "|")
SYNONYMS = {"said": "stated", "more than": "over", "about": "around", "killed": "left dead",
            "began": "started", "showed": "indicated", "expected": "likely", "city": "town",
            "people": "residents", "told": "informed", "officials": "authorities", "week": "days",
            "announced": "unveiled", "largest": "biggest", "help": "assistance"}
AGENCIES = ("Reuters", "AP", "dpa", "AFP")
OUTLET = ("This story has been corrected to fix the spelling of a name.",
          "Our correspondent contributed to this report.",
          "Follow our live coverage for the latest developments.",
          "The report was first published by local media.")


@dataclass
class CorpusStory:
    uid: int
    provider: str
    guid: str
    headline: str
    body_text: str
    version_created: datetime
    event: int
    thread: int
    kind: str  # original | exact | light | heavy
    edits: tuple[str, ...] = field(default=())


@dataclass
class Corpus:
    stories: list[CorpusStory]
    hard_pairs: list[tuple[int, int]]  # (uid, uid) of stories of sibling events: must not merge


class _Gen:
    def __init__(self, rng: random.Random):
        self.r = rng

    def person(self) -> tuple[str, str]:
        return f"{self.r.choice(FIRST)} {self.r.choice(LAST)}", self.r.choice(TITLES)

    def sentence(self, ev: dict, words: list[str]) -> str:
        r = self.r
        w = r.sample(words, 3)
        n = r.choice([r.randint(2, 99), r.randint(100, 9000), f"{r.randint(1, 90)}.{r.randint(1, 9)}"])
        who, title = r.choice(ev["people"])
        org = r.choice([ev["org"], r.choice(ORGS)])
        forms = [
            f"The {w[0]} in {ev['city']} left {n} {w[1]} facing new {w[2]}, according to {org}.",
            f"{org.capitalize()} said on {ev['day']} that {n} {w[0]} had been reported near {ev['city']}.",
            f"Officials expected the {w[0]} to spread to the {w[1]} of {ev['country']} within days.",
            f"At least {n} {w[0]} were recorded on {ev['day']}, up from {r.randint(2, 60)} a week earlier.",
            f"{who}, a {title}, {r.choice(VERBS)} the {w[0]} would not stop the {w[1]}.",
            f"The {w[0]} began after {org} announced new {w[1]} and more than {n} {w[2]}.",
            f"Residents of {ev['city']} described long queues, closed {w[0]} and rising {w[1]}.",
            f"It was the largest {w[0]} in {ev['country']} since {r.randint(1990, 2016)}, data showed.",
            f"{org.capitalize()} did not respond to a request for comment on the {w[0]}.",
            f"Talks on the {w[0]} are due to resume on {r.choice(DAYS)} in {r.choice(PLACES)[0]}.",
            f"Television footage showed {w[0]} outside a {w[1]} on the edge of {ev['city']}.",
            f"{who} warned that the {w[0]} could cost {ev['country']} {n} million dollars.",
            f"The government has promised {w[0]} to {n} families, but critics say the {w[1]} lag.",
            f"Diplomats in {r.choice(PLACES)[0]} said the {w[0]} had raised pressure on {org}.",
            f"A {title} who asked not to be named said {w[0]} and {w[1]} were under review.",
            f"Prices of {w[0]} rose {n} percent in {ev['city']} in the past month.",
            f"{org.capitalize()} put the number of {w[0]} at {n}, a figure that could not be verified.",
            f"The {w[0]} followed weeks of {w[1]} between {org} and {r.choice(ORGS)}.",
            f"Witnesses said {w[0]} and {w[1]} blocked the main road out of {ev['city']} on {ev['day']}.",
            f"In a separate development, {r.choice(ORGS)} said it would review its {w[0]} by {r.choice(DAYS)}.",
            f"{who} is due to meet leaders of {r.choice(ORGS)} to discuss the {w[0]} next week.",
            f"Earlier this year {org} cut its {w[0]} forecast to {n} and delayed the {w[1]}.",
        ]
        return r.choice(forms)

    def quote(self, ev: dict, words: list[str]) -> str:
        r = self.r
        who, title = r.choice(ev["people"])
        w = r.sample(words, 2)
        said = r.choice(["said", "told Reuters", "said by telephone", "added"])
        line = r.choice([
            f"We have never seen {w[0]} like this. The {w[1]} must come first",
            f"The {w[0]} is over for now, but the {w[1]} will take months",
            f"Nobody told us about the {w[0]}. We learned it from the radio",
            f"Our priority is the {w[0]}, and we will not accept any {w[1]}",
            f"There is no {w[0]} without {w[1]}, and everyone here knows it",
            f"We are asking for {w[0]}, not {w[1]}. Is that too much",
            f"The {w[0]} came at night. By morning the {w[1]} had started",
            f"I have lived in {ev['city']} for {r.randint(5, 70)} years and never feared {w[0]} before",
        ])
        return f"\"{line},\" {who}, {title} for {ev['org']}, {said}."

    def paragraph(self, ev: dict) -> str:
        words = TOPICS[ev["topic"]]
        if self.r.random() < 0.3:
            return self.quote(ev, words)
        return " ".join(self.sentence(ev, words) for _ in range(self.r.randint(1, 3)))

    def lede(self, ev: dict) -> str:
        return " ".join(self.sentence(ev, TOPICS[ev["topic"]]) for _ in range(2))

    def tail(self) -> str:
        names = [f"{self.r.choice(FIRST)} {self.r.choice(LAST)}" for _ in range(3)]
        return f"(Reporting by {names[0]}; Writing by {names[1]}; Editing by {names[2]})"

    def headline(self, ev: dict) -> str:
        w = self.r.sample(TOPICS[ev["topic"]], 2)
        return self.r.choice([
            f"{ev['city']} {w[0]} deepen as {ev['org']} weighs {w[1]}",
            f"{ev['country']}: {w[0]} and {w[1]} in {ev['city']}",
            f"UPDATE 1-{w[0].capitalize()} hit {ev['city']}, {ev['people'][0][0]} says",
            f"{w[0].capitalize()} in {ev['city']} prompt {w[1]} warning",
        ])


def _dateline(city: str, when: datetime, agency: str) -> str:
    if agency == "Reuters":
        return f"{city.upper()}, {when:%b} {when.day} (Reuters) - "
    if agency == "AP":
        return f"{city.upper()} (AP) — "
    if agency == "dpa":
        return f"{city} (dpa) - "
    return f"{city.upper()} ({agency}) - "


def _original(g: _Gen, ev: dict, background: list[str]) -> tuple[str, list[str]]:
    r = g.r
    paras = [g.paragraph(ev) for _ in range(r.randint(5, 10))]
    for bg in r.sample(background, k=min(len(background), r.randint(1, 2))):
        paras.insert(r.randint(2, len(paras)), bg)
    body = [_dateline(ev["city"], ev["when"], ev["agency"]) + g.lede(ev), *paras]
    if ev["agency"] == "Reuters":
        body.append(g.tail())
    return g.headline(ev), body


def _edit(g: _Gen, ev: dict, headline: str, body: list[str], heavy: bool) -> tuple[str, list[str], tuple[str, ...]]:
    r = g.r
    ops = ["lede", "drop", "add", "synonyms", "tail", "dateline"]
    chosen = ops if heavy else r.sample(ops, r.randint(1, 4))
    paras = list(body)
    agency = r.choice([a for a in AGENCIES if a != ev["agency"]])
    lede = paras[0].split(" - ", 1)[-1].split(" — ", 1)[-1]
    if "lede" in chosen:
        lede = g.lede(ev)
    if "dateline" in chosen:
        paras[0] = _dateline(ev["city"], ev["when"], agency) + lede
    else:
        paras[0] = paras[0][: len(paras[0]) - len(paras[0].split(" - ", 1)[-1])] + lede \
            if " - " in paras[0] else lede
    if paras[-1].startswith("(Reporting") and "tail" in chosen:
        paras[-1] = g.tail() if r.random() < 0.5 else ""
    elif "tail" in chosen:
        paras.append(f"({agency}) " + g.tail().strip("()"))
    if "drop" in chosen and len(paras) > 4:
        del paras[r.randint(1, len(paras) - 2)]
    if "add" in chosen:
        extra = r.choice([g.paragraph(ev), r.choice(OUTLET)])
        paras.insert(r.randint(1, len(paras)), extra)
    if "synonyms" in chosen:
        rate = 0.3 if heavy else r.uniform(0.3, 0.8)
        for i in range(1, len(paras)):
            for word, other in SYNONYMS.items():
                if r.random() < rate:
                    paras[i] = paras[i].replace(f" {word} ", f" {other} ")
    if heavy:
        paras = paras[: max(3, len(paras) // 2)]
        chosen = [*chosen, "cut"]
    return g.headline(ev), [p for p in paras if p], tuple(chosen)


def make_corpus(originals: int = 3000, seed: int = 7, start: datetime | None = None) -> Corpus:
    """Originals, planted copies and hard negatives, shuffled into arrival order."""
    r = random.Random(seed)
    g = _Gen(r)
    t0 = start or datetime(2026, 3, 1, tzinfo=UTC)
    stories: list[CorpusStory] = []
    hard: list[tuple[int, int]] = []
    event = thread = 0
    while event < originals:
        thread += 1
        city, country = r.choice(PLACES)
        topic = r.choice(sorted(TOPICS))
        people = [g.person() for _ in range(r.randint(2, 3))]
        org = r.choice(ORGS)
        base = {"city": city, "country": country, "topic": topic, "people": people, "org": org}
        background = [g.paragraph({**base, "day": "Monday"}) for _ in range(2)]
        when = t0 + timedelta(hours=r.uniform(0, 24 * 60))
        siblings: list[int] = []
        for _ in range(r.choice([1, 1, 2, 2, 3, 4])):
            event += 1
            when += timedelta(hours=r.uniform(20, 72))
            ev = {**base, "when": when, "day": DAYS[when.weekday()], "agency": r.choice(AGENCIES)}
            headline, body = _original(g, ev, background)
            uid = len(stories)
            stories.append(CorpusStory(uid, ev["agency"].lower(), f"urn:{event}:o", headline,
                                       "\n\n".join(body), when, event, thread, "original"))
            hard.extend((uid, other) for other in siblings)
            siblings.append(uid)
            for n in range(r.choice([0, 0, 1, 1, 1, 2, 3])):
                kind = r.choices(["exact", "light", "heavy"], weights=[1, 7, 1])[0]
                at = when + timedelta(minutes=r.uniform(2, 600))
                if kind == "exact":
                    h, b, edits = headline, body, ()
                else:
                    h, b, edits = _edit(g, ev, headline, body, heavy=kind == "heavy")
                copy = CorpusStory(len(stories), f"outlet{n}", f"urn:{event}:c{n}", h,
                                   "\n\n".join(b), at, event, thread, kind, edits)
                stories.append(copy)
                hard.extend((copy.uid, other) for other in siblings[:-1])
    order = list(range(len(stories)))
    r.shuffle(order)
    arrived = [stories[i] for i in order]
    return Corpus(arrived, hard)
