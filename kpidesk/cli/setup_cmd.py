"""Commands an empty or a growing database needs: `settings get|set`, `people alias`,
`kpi add-templates` (registered under the `kpi` group by kpidesk.cli.basic).

Contract (extend, never rename):
    kpidesk settings get [KEY] [--json]     one setting's value as JSON, or all of them
    kpidesk settings set KEY VALUE [--json] check and keep it (exit 1 with the reason if refused)
    kpidesk people alias NAME --to TECHNICIAN
    kpidesk kpi add-templates [KEY...] [--owner NAME] [--list]
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kpidesk.cli import EXIT_OK, open_store
from kpidesk.wording import count


def register(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("settings", help="the database's settings: organisation, logo, SLA hours, rating scale...")
    st_sub = st.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    get = st_sub.add_parser("get", help="show one setting (as JSON) or all of them")
    get.add_argument("key", nargs="?", metavar="KEY")
    get.add_argument("--json", action="store_true", help="all settings as one JSON object")
    get.set_defaults(func=cmd_settings_get)
    put = st_sub.add_parser("set", help="change a setting (a logo is given as an image file path)")
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE", help="text, a number, or JSON such as "
                     "'{\"P1\": 4, \"P2\": 8, \"P3\": 24, \"P4\": 72}'")
    put.add_argument("--json", action="store_true")
    put.set_defaults(func=cmd_settings_set)

    people = sub.add_parser("people", help="technicians and the names exports give them")
    people_sub = people.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    al = people_sub.add_parser("alias", help="say that a name in the exports is a technician "
                               "(merges a technician an import made for that name)")
    al.add_argument("name", metavar="NAME", help="the name as the exports write it, e.g. 'J. Doe'")
    al.add_argument("--to", required=True, metavar="TECHNICIAN", help="the technician it is, e.g. 'Jane Doe'")
    al.set_defaults(func=cmd_people_alias)
    lst = people_sub.add_parser("list", help="the technicians, their teams and aliases")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_people_list)


def register_kpi(kpi_sub: argparse._SubParsersAction) -> None:
    add = kpi_sub.add_parser("add-templates", help="add KPIs from the built-in templates (all of them by default)")
    add.add_argument("keys", nargs="*", metavar="KEY", help="template keys (see --list), e.g. mttr fcr csat")
    add.add_argument("--owner", default="", help="who owns the new KPIs")
    add.add_argument("--list", action="store_true", help="list the templates and add nothing")
    add.set_defaults(func=cmd_add_templates)


def _shown(key: str, value: Any) -> str:
    if key == "logo":
        from kpidesk.settings import logo_bytes

        data = logo_bytes(value)
        return f"(an image, {len(data) // 1024} KB)" if data else "(none)"
    return json.dumps(value, ensure_ascii=False)


def cmd_settings_get(args: argparse.Namespace) -> int:
    from kpidesk.settings import SETTINGS, spec_for

    public = {k: s for k, s in SETTINGS.items() if not s.internal}
    if args.key is not None:
        spec_for(args.key)
    with open_store(args) as store:
        values = {k: store.get_setting(k) for k in ([args.key] if args.key else public)}
    if args.key and not args.json:
        print(json.dumps(values[args.key], ensure_ascii=False))
    elif args.json:
        json.dump(values, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        for k, v in values.items():
            print(f"{k:<18} {_shown(k, v)}\n{'':<18} {public[k].label}: {public[k].help}")
    return EXIT_OK


def cmd_settings_set(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.settings import spec_for

    value = spec_for(args.key).parse(args.value)  # before opening: a bad key or value changes nothing
    with open_store(args) as store:
        done = actions.set_setting(store, args.key, value)
    if args.json:
        json.dump({"key": args.key, "value": done.result, "notes": done.notes}, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(f"{args.key} = {_shown(args.key, done.result)}")
        _say(done)
    return EXIT_OK


def _say(done: Any) -> None:
    """An action's notes and the reviews it opened, one line each."""
    for n in done.notes:
        print(f"  note: {n}")
    for r in done.reviews:
        print(f"  review #{r.id} opened: {r.summary}")


def cmd_people_alias(args: argparse.Namespace) -> int:
    from kpidesk import actions

    with open_store(args) as store:
        done = actions.alias_name(store, args.name, args.to)
    print(f"'{args.name}' is {done.result.display_name} (aliases: {', '.join(done.result.aliases) or 'none'}).")
    _say(done)
    return EXIT_OK


def cmd_people_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        people = store.list_technicians()
    if args.json:
        json.dump([{"id": t.id, "name": t.display_name, "team": t.team_name, "role": t.role_profile_name,
                    "aliases": t.aliases, "email": t.email} for t in people], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return EXIT_OK
    if not people:
        print("No technicians yet: an import creates them from the names in the file.")
    for t in people:
        print(f"{t.display_name:<24} {t.team_name or '-':<26} {', '.join(t.aliases)}")
    return EXIT_OK


def cmd_add_templates(args: argparse.Namespace) -> int:
    from kpidesk import actions
    from kpidesk.templates import KPI_TEMPLATES

    if args.list:
        for key, t in KPI_TEMPLATES.items():
            print(f"{key:<20} {t.name}")
        return EXIT_OK
    with open_store(args, create=True) as store:
        done = actions.add_templates(store, args.keys or None, owner=args.owner, skip_existing=True)
    print(f"Added {count(len(done.result), 'KPI')}{': ' if done.result else '.'}"
          f"{', '.join(k.name for k in done.result)}{'.' if done.result else ''}")
    _say(done)
    return EXIT_OK
