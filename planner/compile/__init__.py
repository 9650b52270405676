"""From a Scenario to solver arrays: travel times, capacity, reach, the compiled instance."""
