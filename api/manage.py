"""Console account administration.

    python -m api.manage create-agent --username U --display-name N --role agent
    python -m api.manage deactivate-agent --username U
    python -m api.manage set-role --username U --role supervisor
    python -m api.manage create-agent --username T --display-name 训练师 --role trainer

The password comes from --password or is asked for twice (not echoed); it is stored with the
same salted hash the login route checks. A deactivated or re-roled account's open console
sockets are closed within the socket re-check interval, and its tokens stop working at once.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from bot.data.db import migrate, session_factory, session_scope
from bot.services.agents import ROLES, AccountError, create_agent, deactivate_agent, set_role
from bot.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.manage", description="Agent console administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-agent", help="create an agent, supervisor or trainer account")
    create.add_argument("--username", required=True)
    create.add_argument("--display-name", required=True, help="shown to cardholders, e.g. 客服小李")
    create.add_argument("--role", choices=ROLES, default="agent")
    create.add_argument("--password", help="asked for when omitted (safer: not kept in shell history)")
    deactivate = commands.add_parser("deactivate-agent", help="stop an account from signing in or working")
    deactivate.add_argument("--username", required=True)
    role = commands.add_parser("set-role", help="make an account an agent, a supervisor or a trainer")
    role.add_argument("--username", required=True)
    role.add_argument("--role", choices=ROLES, required=True)
    args = parser.parse_args(argv)

    url = get_settings().database_url
    migrate(url)
    try:
        with session_scope(session_factory(url)) as session:
            if args.command == "create-agent":
                password = args.password or _ask_password()
                account = create_agent(session, args.username, args.display_name, args.role, password)
                print(f"created {account.role} {account.username} ({account.display_name})")
            elif args.command == "deactivate-agent":
                print(f"deactivated {deactivate_agent(session, args.username).username}")
            else:
                account = set_role(session, args.username, args.role)
                print(f"{account.username} is now {account.role}")
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
