"""Local development tools: the `make run` supervisor and the SMTP mail catcher."""
