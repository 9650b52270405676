"""Reading and writing the coordinator's files: load, tables, exports, outcomes, bundled data, problems."""
