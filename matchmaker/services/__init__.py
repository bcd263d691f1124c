"""Use cases shared by the web app and the CLI: load, call the domain, save."""
