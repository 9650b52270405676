"""The jemput application: the command line and the plan → verify → write service, above planner, maps and api."""
