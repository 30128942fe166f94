"""Use cases shared by the action server and the API: each takes a Session and plain values."""
