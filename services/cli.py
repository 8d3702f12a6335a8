"""The `safeguard` command: one subcommand per service, the local stack and the tools."""

import argparse
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["main"]

DEFAULT_KAFKA_HOME = Path(os.environ.get("SAFEGUARD_KAFKA_HOME", ".var/kafka"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["rules"]:  # its own parser, options included (argparse would take -h)
        return _rules_main(argv[1:])
    if argv[:1] == ["directory"]:
        return _directory_main(argv[1:])
    if argv[:1] == ["rosters"]:
        return _rosters_main(argv[1:])
    args = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeguard", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    kafka = commands.add_parser("kafka", help="the local single-node Kafka broker")
    kafka.add_argument("action", choices=["fetch", "start", "stop", "status"])
    kafka.add_argument("--home", type=Path, default=DEFAULT_KAFKA_HOME)
    kafka.add_argument("--port", type=int, default=9092)
    kafka.add_argument("--controller-port", type=int, default=9093)
    kafka.set_defaults(handler=_kafka)

    intake = commands.add_parser("intake", help="run the intake HTTP service")
    intake.add_argument("--host", default="127.0.0.1")
    intake.add_argument("--port", type=int, default=8000)
    intake.set_defaults(handler=_intake)

    router = commands.add_parser("router", help="run the router (faust worker)")
    router.set_defaults(handler=_router)

    notifier = commands.add_parser("notifier", help="run the notifier worker (faust)")
    notifier.set_defaults(handler=_notifier)

    notifier_api = commands.add_parser("notifier-api", help="run the notifier's HTTP front")
    notifier_api.add_argument("--host", default="127.0.0.1")
    notifier_api.add_argument("--port", type=int, default=8001)
    notifier_api.set_defaults(handler=_notifier_api)

    stack = commands.add_parser("stack", help="run the whole system locally")
    stack.add_argument("action", choices=["up"])
    stack.add_argument("--kafka-home", type=Path, default=DEFAULT_KAFKA_HOME)
    stack.set_defaults(handler=_stack)

    keys = commands.add_parser("keys", help="make a new source API key and its hash")
    keys.set_defaults(handler=_new_key)

    rules = commands.add_parser("rules", help="check routing configuration, explain a routing")
    rules.add_argument("rest", nargs=argparse.REMAINDER)
    rules.set_defaults(handler=_rules)

    directory = commands.add_parser(
        "directory", help="generate a province's units and pre-2025 codes (dev-time)"
    )
    directory.add_argument("rest", nargs=argparse.REMAINDER)
    directory.set_defaults(handler=lambda args: _directory_main(args.rest))

    rosters = commands.add_parser("rosters", help="check the rosters' coverage (next 14 days)")
    rosters.add_argument("rest", nargs=argparse.REMAINDER)
    rosters.set_defaults(handler=lambda args: _rosters_main(args.rest))
    return parser


def _kafka(args: argparse.Namespace) -> int:
    from devstack.kafka import KafkaStackError, LocalKafka
    from services.messaging.topics_admin import ensure_topics

    broker = LocalKafka(args.home, port=args.port, controller_port=args.controller_port)
    try:
        if args.action == "fetch":
            broker.fetch()
        elif args.action == "start":
            broker.start()
            created = ensure_topics(broker.bootstrap)
            print(f"Kafka {broker.version} serving on {broker.bootstrap}; data in {args.home}")
            if created:
                print(f"created topics: {', '.join(created)}")
        elif args.action == "stop":
            broker.stop()
            print("Kafka stopped")
        else:
            pid = broker.running_pid()
            print(f"running (pid {pid}) on {broker.bootstrap}" if pid else "not running")
            return 0 if pid else 3
    except KafkaStackError as error:
        print(f"safeguard kafka {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


def _intake(args: argparse.Namespace) -> int:
    import uvicorn

    from services.config import ConfigError
    from services.intake.bootstrap import build_app
    from services.intake.settings import IntakeSettings
    from services.observability.logging import configure_logging

    settings = IntakeSettings()
    configure_logging(settings.log_level)
    try:
        app = build_app(settings)
    except ConfigError as error:
        print(f"safeguard intake: {error}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def _router(_: argparse.Namespace) -> int:
    from services.router.bootstrap import run
    from services.router.settings import RouterSettings

    return run(RouterSettings())


def _notifier(_: argparse.Namespace) -> int:
    from services.notifier.settings import NotifierSettings
    from services.notifier.worker.main import run

    return run(NotifierSettings())


def _notifier_api(args: argparse.Namespace) -> int:
    import uvicorn

    from services.config import ConfigError
    from services.notifier.front.app import create_app
    from services.notifier.roster import load_rosters
    from services.notifier.settings import NotifierSettings
    from services.observability.logging import configure_logging

    settings = NotifierSettings()
    configure_logging(settings.log_level)
    try:
        rosters = load_rosters(settings.config_dir / "rosters.yaml")
    except ConfigError as error:
        print(f"safeguard notifier-api: {error}", file=sys.stderr)
        return 2
    app = create_app(settings, rosters)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def _stack(args: argparse.Namespace) -> int:
    from devstack.stack import run_stack

    return run_stack(args.kafka_home)


def _new_key(_: argparse.Namespace) -> int:
    from services.intake.sources import hash_key

    key = "sg_" + secrets.token_urlsafe(32)
    print(f"key (give to the source system, once): {key}")
    print(f"sha256 (put in sources.yaml):           {hash_key(key)}")
    return 0


def _rules(args: argparse.Namespace) -> int:
    return _rules_main(args.rest)


def _rules_main(argv: list[str]) -> int:
    from services.router.explain import main_rules

    return main_rules(argv)


def _directory_main(argv: list[str]) -> int:
    from services.router.unit_import import main_directory

    return main_directory(argv)


def _rosters_main(argv: list[str]) -> int:
    from services.notifier.roster_check import main_rosters

    return main_rosters(argv)


if __name__ == "__main__":
    raise SystemExit(main())
