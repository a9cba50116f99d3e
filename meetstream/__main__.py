from meetstream.entrypoints.entry import run

run()
