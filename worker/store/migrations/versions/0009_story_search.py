"""search: full-text indexes of stories kept by the write path

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

PostgreSQL: a `search` tsvector on `stories` (headline weighted A, body B), computed by a BEFORE
row trigger in the story's language (`wire_regconfig`: BCP 47 primary subtag -> a built-in text
search configuration, `simple` when unknown), recomputed only when headline, body or language
change (a cluster assignment does not touch it); a GIN index over it.

SQLite: FTS5 external-content tables over `stories`, kept by AFTER row triggers: English
stories in `stories_fts_en` (Porter stemmer), all others in `stories_fts` (no stemming).

The body is indexed up to `BODY_CHARS` characters: a tsvector holds at most 1 MB, and the
first screens of a story carry its words.
"""
from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BODY_CHARS = 100_000
#: BCP 47 primary language subtag -> PostgreSQL's built-in text search configuration
PG_CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
_FTS_TABLES = ("stories_fts", "stories_fts_en")


def _vector(row: str) -> str:
    config = f"wire_regconfig({row}.language)"
    return (f"setweight(to_tsvector({config}, {row}.headline), 'A') || "
            f"setweight(to_tsvector({config}, left({row}.body_text, {BODY_CHARS})), 'B')")


def _pg_upgrade() -> None:
    available = {row[0] for row in op.get_bind().exec_driver_sql("SELECT cfgname FROM pg_ts_config")}
    cases = " ".join(f"WHEN '{tag}' THEN '{cfg}'::regconfig"
                     for tag, cfg in sorted(PG_CONFIGS.items()) if cfg in available)
    op.execute("CREATE FUNCTION wire_regconfig(language text) RETURNS regconfig "
               "LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT CASE "
               f"lower(split_part(coalesce(language, ''), '-', 1)) {cases} "
               "ELSE 'simple'::regconfig END $$")
    op.execute("ALTER TABLE stories ADD COLUMN search tsvector")
    op.execute("CREATE FUNCTION wire_story_search() RETURNS trigger LANGUAGE plpgsql AS $$ "
               f"BEGIN NEW.search := {_vector('NEW')}; RETURN NEW; END $$")
    op.execute("CREATE TRIGGER stories_search_new BEFORE INSERT ON stories FOR EACH ROW "
               "EXECUTE FUNCTION wire_story_search()")
    op.execute("CREATE TRIGGER stories_search_change BEFORE UPDATE OF headline, body_text, "
               "language ON stories FOR EACH ROW WHEN (OLD.headline IS DISTINCT FROM "
               "NEW.headline OR OLD.body_text IS DISTINCT FROM NEW.body_text OR "
               "OLD.language IS DISTINCT FROM NEW.language) EXECUTE FUNCTION wire_story_search()")
    op.execute(f"UPDATE stories SET search = {_vector('stories')}")
    op.execute("CREATE INDEX ix_stories_search ON stories USING gin (search)")


def _english(row: str) -> str:
    language = f"coalesce({row}.language, '')"
    return f"({language} = 'en' COLLATE NOCASE OR {language} LIKE 'en-%')"


def _sqlite_rows(command: str | None, row: str) -> str:
    """Statements adding (or with command 'delete', removing) a row in its FTS table."""
    out = []
    for table, where in (("stories_fts", f"NOT {_english(row)}"),
                         ("stories_fts_en", _english(row))):
        if command:
            out.append(f"INSERT INTO {table} ({table}, rowid, headline, body_text) SELECT "
                       f"'{command}', {row}.id, {row}.headline, {row}.body_text WHERE {where};")
        else:
            out.append(f"INSERT INTO {table} (rowid, headline, body_text) SELECT {row}.id, "
                       f"{row}.headline, {row}.body_text WHERE {where};")
    return " ".join(out)


def _sqlite_upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE stories_fts USING fts5(headline, body_text, "
               "content='stories', content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    op.execute("CREATE VIRTUAL TABLE stories_fts_en USING fts5(headline, body_text, "
               "content='stories', content_rowid='id', "
               "tokenize='porter unicode61 remove_diacritics 2')")
    op.execute(f"CREATE TRIGGER stories_search_new AFTER INSERT ON stories BEGIN "
               f"{_sqlite_rows(None, 'NEW')} END")
    op.execute("CREATE TRIGGER stories_search_change AFTER UPDATE OF headline, body_text, "
               "language ON stories FOR EACH ROW WHEN OLD.headline IS NOT NEW.headline OR "
               "OLD.body_text IS NOT NEW.body_text OR OLD.language IS NOT NEW.language BEGIN "
               f"{_sqlite_rows('delete', 'OLD')} {_sqlite_rows(None, 'NEW')} END")
    op.execute(f"CREATE TRIGGER stories_search_gone AFTER DELETE ON stories BEGIN "
               f"{_sqlite_rows('delete', 'OLD')} END")
    for table, where in (("stories_fts", f"NOT {_english('s')}"),
                         ("stories_fts_en", _english("s"))):
        op.execute(f"INSERT INTO {table} (rowid, headline, body_text) "
                   f"SELECT s.id, s.headline, s.body_text FROM stories s WHERE {where}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger in ("stories_search_new", "stories_search_change"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON stories")
        op.execute("DROP FUNCTION IF EXISTS wire_story_search()")
        op.execute("DROP INDEX IF EXISTS ix_stories_search")
        op.execute("ALTER TABLE stories DROP COLUMN IF EXISTS search")
        op.execute("DROP FUNCTION IF EXISTS wire_regconfig(text)")
        return
    for trigger in ("stories_search_new", "stories_search_change", "stories_search_gone"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in _FTS_TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
