"""Reference data (topics) and the demo agency that `make run` and the tests start from."""
