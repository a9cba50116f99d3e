from meetstream.cli.main import run

run()
