"""The ``yuqing`` console script: every manage.py command, plus the project's own (see README).

``yuqing analyze`` and ``yuqing cluster`` run the analysis core directly, with no Django, server or
database — the same code the live pipeline calls.
"""

from __future__ import annotations

import os
import sys

NO_DJANGO = {
    "analyze": "yuqing.analysis.analyze",
    "cluster": "yuqing.analysis.batch_cluster",
    "evaluate": "yuqing.analysis.evaluation.run",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    args[0] = "yuqing"
    if len(args) > 1 and args[1] in NO_DJANGO:
        from importlib import import_module

        raise SystemExit(import_module(NO_DJANGO[args[1]]).main(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
