"""The example scene set lives in scenes/ (where the README and an officer look for it) and is
shipped inside the package as meetstream.scenes, so an installed meetstream can rehearse and
`meetstream init` can write it out. pyproject.toml holds everything else."""

from setuptools import find_namespace_packages, setup

setup(
    # Namespace discovery, so the data folders (control/web, sandbox/data) are packages too and
    # setuptools ships them without warnings.
    packages=find_namespace_packages(include=["meetstream", "meetstream.*"], exclude=["*.__pycache__"]) + ["meetstream.scenes", "meetstream.scenes.slates"],
    package_dir={"meetstream.scenes": "scenes"},
    package_data={"meetstream.entrypoints.http.web": ["*"], "meetstream.sandbox.data": ["*"], "meetstream.services.publish.templates": ["*"],
                  "meetstream.scenes": ["*.yaml"], "meetstream.scenes.slates": ["*.png"]},
)
