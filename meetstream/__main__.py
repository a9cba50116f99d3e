from meetstream.entry import run

run()
