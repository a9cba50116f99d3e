"""The command line: parse, call one service function, render. No API calls here.

The one error boundary is `main()`: a MeetstreamError becomes one `Error: …` line and exit 2;
anything else is a bug, shown as one line too unless --debug asks for the traceback.
"""

# No `from __future__ import annotations` in the command modules: Typer evaluates every string
# annotation of every command on every start (a compile each), which cost --help about 13 ms.
import sys
from pathlib import Path
from typing import Optional

import typer

from meetstream.entrypoints.cli.context import AppContext
from meetstream.errors import ExitCode

# Each command, in the order --help lists them (the order an officer meets them: set up, sign in,
# plan, rehearse, the night, then the tools), and the module in entrypoints/cli/ that registers
# it with register(app). A command line names one: only its module is imported and registered,
# so `meetstream cue …` does not pay for every other command's start-up. A new outside service
# adds its commands here (its sign-in goes under `auth`, as calendar's does).
COMMANDS = (("init", "setup"), ("secrets", "secrets"), ("auth", "auth"), ("calendar", "calendar"), ("links", "calendar"),
            ("teams", "calendar"), ("schedule", "youtube"), ("youtube", "youtube"), ("obs", "obs"),
            ("rehearse", "rehearse"), ("start", "night"), ("serve", "serve"), ("live", "live"), ("cue", "cue"),
            ("end", "night"), ("votes", "votes"), ("recover", "recover"), ("captions", "captions"), ("publish", "publish"), ("report", "publish"), ("archive", "archive"))
ORDER = tuple(name for name, _ in COMMANDS)
# `auth` gathers the sign-ins its services add to it.
_ALSO = {"auth": ("calendar", "youtube")}


class _InOrder(typer.core.TyperGroup):
    def list_commands(self, ctx):
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


app = typer.Typer(
    cls=_InOrder,
    name="meetstream",
    help="Webcast council committee meetings: Graph calendar, YouTube Live and OBS Studio.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=True,
    rich_markup_mode=None,  # plain help: Rich's help renderer alone doubles `--help` start-up
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"meetstream {version('meetstream')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            print("meetstream (not installed)")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="meetstream.yaml to use.", envvar="MEETSTREAM_CONFIG"),
    state: Optional[Path] = typer.Option(None, "--state", help="State store file (default: the user data dir).", envvar="MEETSTREAM_STATE"),
    debug: bool = typer.Option(False, "--debug", help="Log what happens and show tracebacks."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version, help="Show the version and exit."),
) -> None:
    _configure_logging(debug)  # here, not at start-up: `--help` never needs the logging machinery
    ctx.obj = AppContext(config_path=config, state_path=state, debug=debug)
    ctx.call_on_close(ctx.obj.close)


_registered: set[str] = set()


def _register(argv: list[str]) -> None:
    """Register the modules the command line needs (each once per process): the named command's,
    or every one when none is named (`meetstream`, `--help`, shell completion) or it is unknown."""
    import importlib

    modules = dict(COMMANDS)
    named = next((a for a in _after_global_options(argv)), None)
    wanted = [modules[named], *_ALSO.get(named, ())] if named in modules else list(dict.fromkeys(modules.values()))
    for name in wanted:
        if name not in _registered:
            _registered.add(name)
            importlib.import_module(f"meetstream.entrypoints.cli.{name}").register(app)


def _after_global_options(argv: list[str]):
    """The first word that is not a global option (or its value): the command."""
    args = iter(argv)
    for a in args:
        if a in ("--config", "-c", "--state"):
            next(args, None)
        elif not a.startswith("-"):
            yield a
            return


_log_handler = None


def _configure_logging(debug: bool) -> None:
    import logging

    from meetstream.secrets import ScrubFilter

    global _log_handler
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ScrubFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if _log_handler in root.handlers:  # run twice in one process (tests): replace ours, keep others'
        root.removeHandler(_log_handler)
    root.addHandler(handler)
    _log_handler = handler
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    # obsws-python logs the OBS password at INFO and a traceback for every failed request.
    logging.getLogger("obsws_python").setLevel(logging.CRITICAL + 1)
    for noisy in ("urllib3", "googleapiclient", "msal", "websocket"):
        logging.getLogger(noisy).setLevel(logging.INFO if debug else logging.WARNING)


def _click_exceptions():
    # Typer 0.29+ carries its own copy of click; older releases use the click package.
    try:
        from typer._click import exceptions
    except ImportError:
        from click import exceptions
    return exceptions


def main(argv: list[str] | None = None) -> int:
    click_errors = _click_exceptions()

    from meetstream.errors import MeetstreamError
    from meetstream.secrets import scrub

    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    _register(argv)
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="meetstream", standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitCode.OK
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        return ExitCode.FAILURE
    except click_errors.NoArgsIsHelpError as err:
        # `meetstream` or `meetstream cue` alone asks what there is: the help, on stdout, not an error.
        print(err.format_message())
        return ExitCode.OK
    except click_errors.ClickException as err:
        # One line, as every bad input is: what is wrong, and where the help is.
        ctx = getattr(err, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        print(f"Error: {scrub(err.format_message())}{where}", file=sys.stderr)
        return ExitCode.USAGE
    except MeetstreamError as err:
        if debug:
            import logging

            logging.getLogger("meetstream").exception("user error")
        print(f"Error: {scrub(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line unless --debug
        if debug:
            import traceback

            print(scrub(traceback.format_exc()), file=sys.stderr, end="")
        print(f"Error: unexpected {type(err).__name__}: {scrub(str(err))} (run with --debug for details)", file=sys.stderr)
        return ExitCode.FAILURE


def run() -> None:
    sys.exit(main())
