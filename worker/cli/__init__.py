"""The `wire` command line (SPEC "Command line"): one group, commands in the modules below.

`COMMANDS` is the group's table: each command's function and its one-line help (the first line
of its docstring; a test keeps the two equal), so that `wire --help` lists every command and
`wire NAME` imports one module only (`worker.cli.app.LazyGroup`).
"""

from __future__ import annotations

from worker.cli.app import cli

#: name -> (the command, `module:function`, and its one-line help; None: hidden)
COMMANDS: dict[str, tuple[str, str | None]] = {
    "parse": ("worker.cli.stories:parse_cmd",
              "Parse documents and print normalized stories as JSON lines; nothing is stored."),
    "ingest": ("worker.cli.stories:ingest_cmd",
               "Parse documents (files, folders, http(s) URLs), store them once, print the counts."),
    "stories": ("worker.cli.stories:stories_cmd",
                "Current versions of stories, newest version_created first."),
    "versions": ("worker.cli.stories:versions_cmd",
                 "Every version of a story, oldest first by the version key."),
    "story": ("worker.cli.stories:story_cmd", None),
    "migrate": ("worker.cli.stories:migrate_cmd", "Upgrade the store to the current schema."),
    "run": ("worker.cli.run:run_cmd",
            "Poll the configured feeds into the store until stopped (SIGTERM or Ctrl-C)."),
    "worker": ("worker.cli.run:worker_cmd",
               "A Celery worker polling feeds (run any number, on any machines)."),
    "beat": ("worker.cli.run:beat_cmd",
             "Celery beat: the dispatcher's tick (run one; a second one does no harm)."),
    "feeds": ("worker.cli.run:feeds_cmd",
              "Every configured feed: last poll, outcome, consecutive failures, next poll."),
    "recluster": ("worker.cli.clusters:recluster_cmd",
                  ("Re-cluster the stories of a time range (after the thresholds changed); "
                   "prints counts.")),
    "clusters": ("worker.cli.clusters:clusters_cmd",
                 "Clusters with at least --min-size stories, largest first."),
    "cluster": ("worker.cli.clusters:cluster_cmd",
                "A cluster's stories, each with its similarity to the cluster's first story."),
    "dedupe-prune": ("worker.cli.clusters:prune_cmd",
                     ("Drop index keys older than the dedupe window "
                      "(WIRE_DEDUPE_WINDOW_HOURS); prints the count.")),
    "serve": ("worker.cli.serve:serve_cmd",
              "The publishers' HTTP API: stories, the change feed, search, alerts, feeds."),
    "alerts": ("worker.cli.alerts:alerts_cmd",
               "Alerts fired, newest first: rule, change and story (or feed event and feed), "
               "delivery outcome and attempts."),
    "doctor": ("worker.cli.ops:doctor_cmd",
               ("Check the settings, the feed file, the store, the broker and every feed's "
                "source once.")),
    "reparse": ("worker.cli.reparse:reparse_cmd",
                ("Parse the archived documents again and store what they give (after a "
                 "parser fix).")),
}
cli.lazy.update(COMMANDS)  # type: ignore[attr-defined]

#: the modules that hold commands
COMMAND_MODULES = tuple(dict.fromkeys(path.partition(":")[0] for path, _ in COMMANDS.values()))


def main() -> None:
    cli()
