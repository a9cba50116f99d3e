"""`meetstream init`: write a commented example meetstream.yaml."""

from pathlib import Path

import typer

from meetstream.entrypoints.cli.context import app_context
from meetstream.errors import ConfigError

EXAMPLE = """\
# meetstream.yaml: how this council webcasts its meetings.
# Secrets never go in this file: the OBS password comes from the environment variable named
# in obs.password_env (or the OS keyring, service "meetstream", name "obs:<room>").

council:
  name: {council}
  timezone: Europe/London        # times are stored in UTC and shown in this zone

rooms:
  chamber:                       # the key used on the command line: --room chamber
    name: Council Chamber
    locations: ["Council Chamber", "Town Hall - Council Chamber"]   # calendar location names
    obs:
      host: 127.0.0.1
      port: 4455                 # Tools -> WebSocket Server Settings in OBS
      password_env: MEETSTREAM_OBS_PASSWORD
    scene_set: {scenes}          # relative to this file
    resolution: 1080p
    frame_rate: 30fps
    record_backup: true          # also record locally in OBS while on air
    # standing_order:            # the council's rule when the webcast fails mid-meeting
    #   minutes: 10
    #   words: "The webcast has been down for {{minutes}} minutes: under Standing Order 19.4 the Chair should adjourn"
    silence_seconds: 60          # no programme audio on a public item this long: an incident (null: off)
    frozen_seconds: 30           # a camera or feed on program showing the same picture this long: an incident (null: off)

# roster: roster.yaml            # members' titles, roles and wards for lower thirds
# agendas:
#   overrides: agendas/          # <meeting id>.yaml here corrects an agenda (see the README)
#   source: moderngov            # agendas from the council's modern.gov site (default: calendar)
#   moderngov:
#     base_url: https://democracy.example.gov.uk
#     committees: {{"Planning Committee": chamber, "Full Council": chamber}}   # name (or id) -> room

calendar:                        # Microsoft Graph (meetstream auth microsoft)
  tenant: organizations          # your tenant id or domain
  client_id: null                # the app registration's Application (client) ID
  mailbox: democratic.services@example.gov.uk
  categories: ["Webcast"]        # events with one of these categories are webcast
  committees: []                 # ...or list committee names to webcast

youtube:                         # meetstream auth youtube
  client_secrets: null           # the OAuth client JSON downloaded from Google Cloud
  device_client_secrets: null    # a "TVs and Limited Input devices" client, for `auth youtube --device`
  privacy: public
  auto_start: true
  auto_stop: false               # a network blip would end the broadcast for good
  daily_quota: 10000
"""


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        ctx: typer.Context,
        path: Path = typer.Argument(Path("meetstream.yaml"), help="Where to write the example."),
        council: str = typer.Option("Example Borough Council", help="The council's name."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing meetstream.yaml (never an existing scene set)."),
    ) -> None:
        """Write a commented meetstream.yaml and the example scene set (scenes/) to start from.

        Example: meetstream init --council "Chesterfield Borough Council"
        """
        from meetstream.paths import example_scenes

        app_context(ctx)
        if path.exists() and not force:
            raise ConfigError(f"{path} already exists (pass --force to overwrite it)")
        scenes = path.parent / "scenes"
        wrote_scenes = _copy_example_scenes(example_scenes(), scenes)
        path.write_text(EXAMPLE.format(council=council, scenes="scenes/council-chamber.yaml"), encoding="utf-8")
        typer.echo(f"Wrote {path}.")
        typer.echo(f"Wrote the example scene set to {scenes}/ (council-chamber.yaml and its slates)." if wrote_scenes
                   else f"Kept the scene set already in {scenes}/.")
        typer.echo("Next: set MEETSTREAM_OBS_PASSWORD (or `meetstream secrets set obs`), then `meetstream obs apply`.")


def _copy_example_scenes(source: Path, target: Path) -> bool:
    """Copy the shipped scene set and its slates; an officer's own scene set is never overwritten."""
    import shutil

    if (target / "council-chamber.yaml").exists():
        return False
    (target / "slates").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "council-chamber.yaml", target / "council-chamber.yaml")
    for slate in sorted((source / "slates").glob("*.png")):
        if not (target / "slates" / slate.name).exists():
            shutil.copyfile(slate, target / "slates" / slate.name)
    return True
