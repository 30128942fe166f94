"""Console account administration: `python -m api.manage create-agent --username U --display-name N --role agent`.

The password comes from --password or is asked for twice (not echoed); it is stored with the
same salted hash the login route checks.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from api.core.config import ApiSettings
from bot.data.db import migrate, session_factory, session_scope
from bot.services.agents import ROLES, AccountError, create_agent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.manage", description="Agent console administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-agent", help="create an agent or supervisor account")
    create.add_argument("--username", required=True)
    create.add_argument("--display-name", required=True, help="shown to cardholders, e.g. 客服小李")
    create.add_argument("--role", choices=ROLES, default="agent")
    create.add_argument("--password", help="asked for when omitted (safer: not kept in shell history)")
    args = parser.parse_args(argv)

    password = args.password or _ask_password()
    url = ApiSettings.from_env().database_url
    migrate(url)
    try:
        with session_scope(session_factory(url)) as session:
            account = create_agent(session, args.username, args.display_name, args.role, password)
            print(f"created {account.role} {account.username} ({account.display_name})")
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _ask_password() -> str:
    first = getpass.getpass("password: ")
    if first != getpass.getpass("password again: "):
        raise SystemExit("error: the passwords differ")
    return first


if __name__ == "__main__":
    sys.exit(main())
